from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryLevel(models.TextChoices):
    OBLAST = "oblast", _("Region or city of republican significance")
    DISTRICT = "district", _("District or city of regional significance")
    SUB_DISTRICT = "sub_district", _("Rural district, town or city district")
    SETTLEMENT = "settlement", _("Settlement")


class OrganisationKind(models.TextChoices):
    CENTRAL_BODY = "central_body", _("Central state body")
    REGIONAL_AKIMAT = "regional_akimat", _("Regional akimat")
    DISTRICT_AKIMAT = "district_akimat", _("District or city akimat")
    VILLAGE_AKIMAT = "village_akimat", _("Village or rural district akimat")
    SERVICE_CENTER = "service_center", _("Public service center")
    PROVIDER = "provider", _("Service provider")
    AUTHORIZED_BODY = "authorized_body", _("Authorized body (regulator)")
    CONTACT_CENTER = "contact_center", _("Contact center")


class DataOrigin(models.TextChoices):
    SOURCE = "source", _("From the source data")
    INFERRED = "inferred", _("Inferred, not confirmed")
    CONFIRMED = "confirmed", _("Confirmed by an editor")
