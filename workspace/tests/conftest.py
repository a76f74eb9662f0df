from appeals.tests.fixtures import appeal, article, service

__all__ = ["appeal", "article", "service"]
