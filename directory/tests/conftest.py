from directory.tests.fixtures import real_services, reference_territories  # noqa: F401
