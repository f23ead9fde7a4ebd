"""The mediation agreement PDF: Chinese text, embedded font, no phone numbers."""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from disputes import workflow
from disputes.documents import TITLE, agreement_pdf
from disputes.models import Dispute
from stations.models import Bureau, Station
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

PHONES = ("13812345678", "13987654321")
TERMS = "一、王建国于2026年11月30日前修好漏水的水管。\n二、李秀英不再追究此前的损失。"


def resolved(world, *, terms=TERMS):
    """Take a two-party dispute in grid A through the workflow to its agreement."""
    officer = world.persons["officer_a"]
    dispute = workflow.report(
        grid=world.grids["A"],
        household=world.households["A"],
        category=Dispute.Category.NEIGHBOURHOOD,
        summary="王建国家水管漏水，浸湿楼下李秀英家天花板。",
        parties=[
            {"name": "王建国", "phone": PHONES[0]},
            {"resident": world.residents["A"], "name": "李秀英", "phone": PHONES[1]},
        ],
        colour="green",
        by=officer,
        at=local(2026, 11, 22, 9, 0),
    )
    workflow.accept(dispute, by=officer, at=local(2026, 11, 22, 10, 0))
    workflow.hold_session(dispute, by=officer, at=local(2026, 11, 23, 20, 0))
    # 00:30 in Shanghai is still the 23rd in UTC: the date must be local.
    return workflow.resolve(
        dispute,
        by=officer,
        terms=terms,
        place="A社区警务室",
        at=local(2026, 11, 24, 0, 30),
    )


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # pypdf may break a line anywhere; compare without whitespace.
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def fonts(pdf: bytes) -> dict[str, bool]:
    """Map each font the pages use to whether its glyphs are embedded."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts", [font])[0].get_object()
            descriptor = descendant.get("/FontDescriptor")
            found[str(font["/BaseFont"])] = bool(
                descriptor and "/FontFile2" in descriptor.get_object()
            )
    return found


def test_agreement_pdf_carries_the_agreement(world):
    agreement = resolved(world)
    pdf = agreement_pdf(agreement)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in (
        TITLE,
        f"编号：{agreement.number}",
        "王建国",
        "李秀英",
        world.households["A"].address,
        "邻里纠纷",
        "一、王建国于2026年11月30日前修好漏水的水管。",
        "二、李秀英不再追究此前的损失。",
        "一式三份",
        "2026年11月24日",
    ):
        assert expected in text


def test_agreement_pdf_has_a_title(world):
    agreement = resolved(world)
    reader = PdfReader(io.BytesIO(agreement_pdf(agreement)))
    assert reader.metadata.title == f"{TITLE} {agreement.number}"


def test_agreement_pdf_embeds_its_font(world):
    used = fonts(agreement_pdf(resolved(world)))
    assert used
    assert all("NotoSansSC" in name for name in used)
    assert all(used.values())


def test_agreement_pdf_leaves_out_phone_numbers(world):
    text = text_of(agreement_pdf(resolved(world)))
    for phone in PHONES:
        assert phone not in text
        assert phone[-4:] not in text  # nor masked, as 138****5678


def test_agreement_pdf_is_chinese_whatever_the_language(world):
    agreement = resolved(world)
    with translation.override("en"):
        text = text_of(agreement_pdf(agreement))
    assert "邻里纠纷" in text
    assert "neighbourhood" not in text


def test_long_agreement_runs_over_several_pages(world):
    terms = "\n".join(f"第{n}条、双方约定的第{n}项内容。" * 4 for n in range(1, 121))
    pdf = agreement_pdf(resolved(world, terms=terms))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 2
    text = text_of(pdf)
    assert "第120条" in text
    assert "当事人（签名）：王建国" in text


@pytest.mark.parametrize(
    "name",
    [
        '城<img src="static/favicon.svg"/>',
        '城<a href="https://x.invalid/">点击</a>',
        "城<blink>所</blink>",
        "城<unknown",
    ],
)
def test_agreement_pdf_shows_markup_in_names_as_text(world, name):
    """Issue 27, item 3: a station, bureau, place or term is never markup."""
    Station.objects.filter(pk=world.stations["S"].pk).update(name=name)
    Bureau.objects.filter(pk=world.bureaus["X"].pk).update(name=name)
    agreement = resolved(world, terms=name)
    pdf = agreement_pdf(agreement)
    reader = PdfReader(io.BytesIO(pdf))
    assert name.replace(" ", "") in text_of(pdf)
    for page in reader.pages:
        assert not page.get("/Annots")
        assert not list(page.images)
