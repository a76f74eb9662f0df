from django.db import models
from django.utils.translation import get_language


class BilingualNameMixin(models.Model):
    """Short reference data keeps its names in both languages (`name_kk`, `name_ru`)."""

    name_kk = models.CharField(max_length=500)
    name_ru = models.CharField(max_length=500)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, falling back to the other one."""
        if get_language() == "ru":
            return self.name_ru or self.name_kk
        return self.name_kk or self.name_ru

    def __str__(self) -> str:
        return self.name
