"""Stripe's test card numbers the stand-in understands."""

CARD_SUCCESS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_DISPUTED = "4000000000000259"
CARDS = {
    CARD_SUCCESS: ("success", None),
    CARD_DISPUTED: ("success", None),
    CARD_DECLINED: ("declined", "generic_decline"),
    CARD_INSUFFICIENT_FUNDS: ("declined", "insufficient_funds"),
}
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}
