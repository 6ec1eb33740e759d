"""The input-validation collector: every problem of one input in one refusal."""

from __future__ import annotations

import pytest

from resolvers.errors import DomainError, ErrorCode, Problems


def _leave(problems: Problems) -> None:
    with problems:
        pass


def _lookup_inside(problems: Problems) -> None:
    with problems:
        raise LookupError


def test_the_collector_refuses_once_with_every_problem_in_the_order_found() -> None:
    problems = Problems()
    problems.invalid("Champ obligatoire.", "name")
    problems.add(ErrorCode.WEAK_PASSWORD, "Trop court", "password")
    problems.invalid("Champ obligatoire.", "name")  # the same problem again: told once
    with pytest.raises(DomainError) as refused:
        problems.check()
    assert [(p.code, p.field, p.message) for p in refused.value.problems] == [
        (ErrorCode.INVALID_INPUT, "name", "Champ obligatoire."),
        (ErrorCode.WEAK_PASSWORD, "password", "Trop court"),
    ]
    assert str(refused.value) == "Champ obligatoire."


def test_leaving_the_block_refuses_and_a_clean_input_passes() -> None:
    with Problems() as clean:
        assert not clean.about("email")
    problems = Problems()
    problems.invalid("Adresse e-mail invalide", "email")
    assert problems.about("email")
    assert not problems.about("password")
    with pytest.raises(DomainError) as refused:
        _leave(problems)
    assert [p.field for p in refused.value.problems] == ["email"]


def test_an_exception_already_on_its_way_out_is_not_replaced() -> None:
    problems = Problems()
    problems.invalid("Champ obligatoire.", "name")
    with pytest.raises(LookupError):
        _lookup_inside(problems)


def test_problems_found_out_of_order_can_be_told_in_the_input_order() -> None:
    problems = Problems()
    problems.add(ErrorCode.OUT_OF_STOCK, "b", "lines.2")
    problems.add(ErrorCode.NOT_DELIVERABLE, "a", "lines.0")
    problems.sort(key=lambda p: int(str(p.field).split(".")[1]))
    with pytest.raises(DomainError) as refused:
        problems.check()
    assert [p.field for p in refused.value.problems] == ["lines.0", "lines.2"]
