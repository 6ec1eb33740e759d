"""Folding and cutting names into words: what the search index stores and looks for."""

from __future__ import annotations

from resolvers.search_text import fold, prefix_range, search_terms, sort_key, words


def test_folding_drops_case_and_accents() -> None:
    assert fold("Béton ARMÉ") == "beton arme"
    assert fold("Œuvre Straße naïve") == "oeuvre strasse naive"


def test_a_word_is_a_run_of_letters_and_digits() -> None:
    assert words("Perceuse-visseuse 18 V") == ["perceuse", "visseuse", "18", "v"]
    assert words("Sable 0/4 _lot_") == ["sable", "0", "4", "lot"]
    assert words("béton Béton") == ["beton"]


def test_terms_are_cut_into_words_as_names_are() -> None:
    assert search_terms("  beto   ARM ") == ["beto", "arm"]
    assert search_terms("perceuse-visseuse") == ["perceuse", "visseuse"]
    assert search_terms("") == []
    assert search_terms("100%") == ["100"]
    assert search_terms("a_b") == ["a", "b"]
    assert search_terms("50% 50") == ["50"]
    assert search_terms("%") is None
    assert search_terms("_ --") is None


def test_a_prefix_range_holds_exactly_the_words_starting_with_it() -> None:
    low, high = prefix_range("beto")
    inside = ["beto", "beton", "betonniere", "betozzz"]
    outside = ["bet", "betp", "betn", "bfton", "a"]
    assert all(low <= w < high for w in inside)
    assert not any(low <= w < high for w in outside)
    low, high = prefix_range("z9")
    assert low <= "z99" < high
    assert not low <= "za" < high


def test_names_sort_without_regard_to_case_or_accents() -> None:
    assert sorted(["Zinc", "éponge", "Enduit"], key=sort_key) == ["Enduit", "éponge", "Zinc"]
