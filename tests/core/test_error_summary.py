"""The error summary at the top of forms (issue 10, WCAG 3.3.1): what it lists and links."""

from django import forms
from django.forms import formset_factory
from django.template import Context, Template

from core.templatetags.portal_forms import error_summary


class ContactForm(forms.Form):
    name = forms.CharField(label="Nom")
    email = forms.EmailField(label="Adresse e-mail")
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Rien n'a été envoyé.")


class PlaceForm(forms.Form):
    city = forms.CharField(label="Ville")
    postcode = forms.CharField(label="Code postal", required=False)


def test_each_error_once_linked_to_its_field_and_the_form_s_own_errors_first():
    form = ContactForm(data={"name": "", "email": "pas-une-adresse", "token": ""})

    summary = error_summary(form)

    assert summary["non_field"][0] == "Rien n'a été envoyé."
    assert "token" not in {item["id"] for item in summary["fields"]}  # a hidden field has no link
    assert len(summary["non_field"]) == 2  # the hidden field's error is listed as text
    assert [(item["id"], item["label"]) for item in summary["fields"]] == [
        ("id_name", "Nom"),
        ("id_email", "Adresse e-mail"),
    ]
    assert summary["count"] == 4
    assert summary["anchor"] == "erreurs"


def test_a_formset_s_errors_are_in_the_page_s_summary():
    PlaceFormSet = formset_factory(PlaceForm, extra=0)
    formset = PlaceFormSet(
        data={
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-city": "Metz",
            "form-1-postcode": "57000",  # filled in, without its city
        },
    )
    form = PlaceForm(data={"city": "Nancy"})

    summary = error_summary(form, formset=formset)

    assert [item["id"] for item in summary["fields"]] == ["id_form-1-city"]
    assert summary["count"] == 1


def test_an_unsent_form_has_no_summary():
    html = Template("{% load portal_forms %}{% error_summary form %}").render(
        Context({"form": ContactForm()})
    )

    assert html.strip() == ""


def test_the_summary_is_announced_and_links_to_the_fields():
    form = ContactForm(data={"name": "", "email": "a@b.fr", "token": "x"})

    html = Template("{% load portal_forms %}{% error_summary form %}").render(
        Context({"form": form})
    )

    assert 'role="alert"' in html
    assert 'tabindex="-1"' in html and "data-error-summary" in html
    assert "Le formulaire contient 2 erreurs" in html
    assert '<a href="#id_name">Nom : Ce champ est obligatoire.</a>' in html
