"""Directory pages: organisations, the services register and the KATO territory browser."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.permissions import role_required
from core.htmx import HtmxHttpRequest
from directory import selectors
from directory.forms import OrganisationContactsForm, OrganisationFilterForm, ServiceFilterForm, ServiceResponsibleForm
from directory.models import Territory
from directory.services import (
    may_edit_organisation,
    may_edit_service,
    set_service_responsible_body,
    update_organisation_contacts,
)

# Every staff role reads the directory; the integration role (an API client) has no pages.
READERS = (Role.CONSULTANT, Role.SUPERVISOR, Role.EDITOR, Role.ORG_OFFICER, Role.REGULATOR, Role.ADMIN)
# Editors and administrators change any record; an officer only their own organisation's.
WRITERS = (Role.EDITOR, Role.ADMIN, Role.ORG_OFFICER)
PAGE_SIZE = 50


@role_required(*READERS)
def organisation_list(request: HtmxHttpRequest) -> HttpResponse:
    """All staff readers: organisations filtered by kind, region and name."""
    form = OrganisationFilterForm(request.GET or None)
    organisations = selectors.organisations_visible_to(request.user)
    if form.is_valid():
        organisations = selectors.filter_organisations(
            organisations,
            kind=form.cleaned_data["kind"],
            territory=form.cleaned_data["territory"],
            query=form.cleaned_data["q"],
        )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    template = "directory/_organisation_table.html" if request.htmx else "directory/organisation_list.html"
    return render(request, template, context)


@role_required(*READERS)
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All staff readers: an organisation's names, contacts and the services it is responsible for."""
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), pk=pk)
    services = selectors.filter_services(selectors.services_visible_to(request.user), organisation=organisation)
    context = {
        "organisation": organisation,
        "services": services,
        "can_edit": may_edit_organisation(user=request.user, organisation=organisation),
    }
    return render(request, "directory/organisation_detail.html", context)


@role_required(*WRITERS)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Editors and administrators: any organisation's contacts; an officer: their own (else 404)."""
    organisation = get_object_or_404(selectors.organisations_editable_by(request.user), pk=pk)
    form = OrganisationContactsForm.for_organisation(organisation, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            update_organisation_contacts(organisation=organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The contacts have been saved."))
            return redirect("directory:organisation_detail", pk=organisation.pk)
    return render(request, "directory/organisation_edit.html", {"organisation": organisation, "form": form})


@role_required(*READERS)
def service_list(request: HtmxHttpRequest) -> HttpResponse:
    """All staff readers: the services register by category, name, and inferred responsible bodies."""
    form = ServiceFilterForm(request.GET or None)
    services = selectors.services_visible_to(request.user)
    if form.is_valid():
        services = selectors.filter_services(
            services,
            category=form.cleaned_data["category"],
            query=form.cleaned_data["q"],
            inferred_only=form.cleaned_data["inferred"],
        )
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    template = "directory/_service_table.html" if request.htmx else "directory/service_list.html"
    return render(request, template, context)


@role_required(*READERS)
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """All staff readers: a service, its category, responsible body (inferred or confirmed) and source text."""
    service = get_object_or_404(selectors.services_visible_to(request.user), slug=slug)
    context = {"service": service, "can_edit": may_edit_service(user=request.user, service=service)}
    return render(request, "directory/service_detail.html", context)


@role_required(*WRITERS)
def service_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Editors and administrators: any service; an officer: services pointing at their organisation (else 404)."""
    service = get_object_or_404(selectors.services_editable_by(request.user), slug=slug)
    initial = {"organisation": service.responsible_organisation_id}
    form = ServiceResponsibleForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            set_service_responsible_body(
                service=service, organisation=form.cleaned_data["organisation"], actor=request.user
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The responsible body has been saved."))
            if selectors.services_visible_to(request.user).filter(pk=service.pk).exists():
                return redirect("directory:service_detail", slug=service.slug)
            return redirect("directory:service_list")
    return render(request, "directory/service_edit.html", {"service": service, "form": form})


@role_required(*READERS)
def territory_list(request: HttpRequest) -> HttpResponse:
    """All staff readers: the regions and cities of republican significance (top of KATO)."""
    return render(request, "directory/territory_list.html", {"territories": selectors.oblasts()})


@role_required(*READERS)
def territory_detail(request: HttpRequest, kato: str) -> HttpResponse:
    """All staff readers: a KATO unit, the path to it, what lies under it and its organisations."""
    territory = get_object_or_404(Territory, kato=kato)
    context = {
        "territory": territory,
        "ancestors": selectors.territory_ancestors(territory),
        "children": selectors.territory_children(territory),
        "organisations": selectors.organisations_visible_to(request.user).filter(territory=territory),
    }
    return render(request, "directory/territory_detail.html", context)
