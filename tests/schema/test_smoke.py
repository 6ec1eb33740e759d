from tests.clients import GraphQLClient


async def test_anonymous_me_is_null(anonymous: GraphQLClient) -> None:
    assert await anonymous.query("{ me { id } }") == {"me": None}


async def test_buyer_sees_own_account(buyer: GraphQLClient) -> None:
    data = await buyer.query("{ me { email role rights twoFactorEnabled company { name } } }")
    assert data["me"] == {
        "email": "buyer@example.fr",
        "role": "BUYER",
        "rights": [],
        "twoFactorEnabled": False,
        "company": None,
    }


async def test_unknown_token_fails_even_anonymous_fields(anonymous: GraphQLClient) -> None:
    anonymous.token = "not-a-real-token"
    assert await anonymous.error_codes("{ me { id } }") == ["UNAUTHENTICATED"]
