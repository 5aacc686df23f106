import pytest

from tests.factories import AgreementFactory, ShiftFactory, ready_volunteer


@pytest.fixture
def agreement(db):
    return AgreementFactory(version=1)


@pytest.fixture
def ready(agreement):
    """A volunteer who has onboarded and signed the current agreement."""
    return ready_volunteer()


@pytest.fixture
def shift(db):
    return ShiftFactory()
