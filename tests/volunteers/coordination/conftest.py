import pytest

from tests.factories import RoleFactory, ShiftFactory, UserFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=["coordinator"], name="Cora Coordinator")


@pytest.fixture
def role(coordinator):
    """A role the `coordinator` fixture looks after."""
    return RoleFactory(name="Shelter meals", coordinators=[coordinator])


@pytest.fixture
def other_role(db):
    """A role with another coordinator."""
    return RoleFactory(name="Hotline support", coordinators=[UserFactory(roles=["coordinator"])])


@pytest.fixture
def own_shift(role):
    return ShiftFactory(role=role, capacity=4)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client
