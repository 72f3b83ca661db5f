"""Proof of commitments (N1): the COPIL asks, the member uploads PDF or images, checked on
their content and size, stored privately under a random name, served to the COPIL and the
organisation only. A refused file stores nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members import services
from members.exceptions import InvalidUpload, NotAllowed
from members.models import ProofDocument

from .factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def proof_request(copil, private_storage):
    organisation = member_organisation(legal_name="Prouvée SA")
    organisation.rep = RepresentativeFactory(organisation=organisation).user
    return services.proof_request_create(
        organisation=organisation, actor=copil, description="Vos statuts à jour."
    )


def upload_url(proof_request):
    return reverse(
        "member_space:proof_upload", args=[proof_request.organisation.slug, proof_request.pk]
    )


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.rule("N1")
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("statuts.pdf", PDF, "application/pdf"), ("label.png", png(), "image/png")],
)
def test_a_representative_uploads_a_document_stored_privately(
    client, proof_request, private_storage, name, content, content_type
):
    client.force_login(proof_request.organisation.rep)

    response = client.post(upload_url(proof_request), {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 302
    document = ProofDocument.objects.get()
    assert (document.original_name, document.content_type, document.size) == (
        name,
        content_type,
        len(content),
    )
    # A random name in the private storage: never the uploaded name, never a public URL.
    assert document.file.name.startswith("proofdocument/")
    assert name not in document.file.name
    [path] = stored_files(private_storage)
    assert path.read_bytes() == content


@pytest.mark.rule("N1")
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("statuts.pdf", b"MZ\x90\x00 not a pdf", "Ce type de fichier n&#x27;est pas accepté"),
        ("page.html", b"<html><script>alert(1)</script></html>", "Ce type de fichier"),
        ("gros.pdf", PDF + b"0" * (10 * 1024 * 1024), "Le fichier dépasse 10,0\xa0Mio."),
    ],
)
def test_a_wrong_type_or_an_oversized_file_is_refused_and_nothing_is_stored(
    client, proof_request, private_storage, name, content, message
):
    client.force_login(proof_request.organisation.rep)

    response = client.post(
        upload_url(proof_request), {"file": SimpleUploadedFile(name, content)}, follow=True
    )

    assert message in response.content.decode()
    assert not ProofDocument.objects.exists()
    assert stored_files(private_storage) == []


@pytest.mark.rule("N1")
@pytest.mark.parametrize(
    "name", ["..\\..\\settings.pdf", "..pdf", ".htaccess", "statuts\x00.pdf", "C:\\temp\\b.pdf"]
)
def test_a_name_with_path_tricks_is_refused_and_nothing_is_stored(
    proof_request, private_storage, name
):
    upload = SimpleUploadedFile("x.pdf", PDF)
    upload.name = name  # as a client other than a browser could send it

    with pytest.raises(InvalidUpload) as error:
        services.proof_document_upload(
            proof_request=proof_request, file=upload, actor=proof_request.organisation.rep
        )

    assert str(error.value.message) == (
        "Le nom du fichier n'est pas accepté : renommez-le (lettres, chiffres, tirets)."
    )
    assert not ProofDocument.objects.exists()
    assert stored_files(private_storage) == []


@pytest.mark.rule("N1")
def test_a_path_in_a_browser_upload_never_reaches_the_storage(
    client, proof_request, private_storage
):
    client.force_login(proof_request.organisation.rep)

    client.post(
        upload_url(proof_request), {"file": SimpleUploadedFile("../../etc/passwd.pdf", PDF)}
    )

    document = ProofDocument.objects.get()
    assert document.original_name == "passwd.pdf"
    [path] = stored_files(private_storage)
    assert path.parent == private_storage / "proofdocument"


@pytest.mark.rule("N1", "G2")
def test_the_document_is_served_to_the_copil_and_the_organisation_only(
    client, copil, proof_request
):
    document = services.proof_document_upload(
        proof_request=proof_request,
        file=SimpleUploadedFile("statuts.pdf", PDF),
        actor=proof_request.organisation.rep,
    )
    url = reverse("member_space:proof_document", args=[document.pk])
    other_member = RepresentativeFactory(organisation=member_organisation()).user

    statuses = {}
    for role, person in {
        "anonymous": None,
        "other member": other_member,
        "stranger": UserFactory(),
        "representative": proof_request.organisation.rep,
        "copil": copil,
    }.items():
        client.logout()
        if person:
            client.force_login(person)
        response = client.get(url)
        statuses[role] = response.status_code
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"] == 'attachment; filename="statuts.pdf"'
        response.close()

    assert statuses == {
        "anonymous": 302,
        "other member": 404,
        "stranger": 404,
        "representative": 200,
        "copil": 200,
    }


@pytest.mark.rule("N1", "G2")
def test_only_the_copil_asks_for_proofs(proof_request, staff_not_copil):
    for actor in (None, proof_request.organisation.rep, staff_not_copil):
        with pytest.raises(NotAllowed):
            services.proof_request_create(
                organisation=proof_request.organisation, actor=actor, description="x"
            )


@pytest.mark.rule("N1")
def test_another_organisation_cannot_upload(client, proof_request, private_storage):
    client.force_login(RepresentativeFactory(organisation=member_organisation()).user)

    response = client.post(upload_url(proof_request), {"file": SimpleUploadedFile("a.pdf", PDF)})

    assert response.status_code == 404
    assert stored_files(private_storage) == []
