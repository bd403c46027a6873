"""Images in the editor, in a real browser: a pasted screenshot is uploaded, its Markdown lands
at the cursor, the preview shows it, and the saved article shows it to its readers; a refused
file says why."""
import pytest
from sqlalchemy import select

from extensions import db
from kb.models import Article, ArticleImage
from tests.factories import make_user
from tests.factories_kb import make_category

# A 3 × 2 red PNG, as a screenshot tool would put it on the clipboard.
RED_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP8zwAFTDAGAwATKQED8NgHhAAAAABJRU5ErkJggg=="
TITLE = "Where the modem's status page is"

PASTE = """([name, base64, type]) => {
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, {type}));
    const body = document.querySelector("#body");
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
    const event = new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true});
    body.dispatchEvent(event);
    return event.defaultPrevented;
}"""


@pytest.fixture(scope="module")
def module_data(live_app):
    """An agent and a category to write in."""
    with live_app.app_context():
        make_user("sara")
        make_category("internet")
        db.session.remove()
    return {}


def test_pasting_an_image_inserts_its_markdown_and_the_article_shows_it(server, sign_in, page, live_app):
    sign_in(page, "sara")
    page.goto(server.url("/kb/new"))
    page.fill("#title", TITLE)
    page.select_option("#category", "internet")
    page.fill("#body", "1. Open the status page:\n")

    assert page.evaluate(PASTE, ["screenshot.png", RED_PNG, "image/png"])  # not pasted as text

    page.wait_for_function("() => document.querySelector('#body').value.includes('](/kb/images/')")
    body = page.input_value("#body")
    assert body.startswith("1. Open the status page:\n![image](/kb/images/")
    assert "Image added to the text." in page.inner_text("[data-image-status]")
    preview_image = page.locator("#kb-preview img[src^='/kb/images/']")
    preview_image.wait_for()
    page.wait_for_function("() => document.querySelector('#kb-preview img').naturalWidth === 3")

    with page.expect_navigation():
        page.click("input[name=save]")
    shown = page.locator(".prose img[src^='/kb/images/']")
    assert shown.count() == 1
    page.wait_for_function("() => document.querySelector('.prose img').naturalWidth === 3")
    with live_app.app_context():
        article = db.session.scalar(select(Article).where(Article.title == TITLE))
        images = db.session.scalars(select(ArticleImage).where(ArticleImage.article_id == article.id)).all()
        assert [image.width for image in images] == [3]
        db.session.remove()


def test_a_refused_file_says_why_and_inserts_nothing(server, sign_in, page):
    sign_in(page, "sara")
    page.goto(server.url("/kb/new"))
    page.fill("#body", "Text")
    svg = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="  # <svg xmlns=…/>

    page.evaluate(PASTE, ["drawing.svg", svg, "image/svg+xml"])

    status = page.locator("[data-image-status].kb-images__status--error")
    status.wait_for()
    assert "SVG images are refused" in status.inner_text()
    assert page.input_value("#body") == "Text"


def test_add_image_uploads_a_chosen_file(server, sign_in, page, tmp_path):
    import base64
    path = tmp_path / "chosen.png"
    path.write_bytes(base64.b64decode(RED_PNG))
    sign_in(page, "sara")
    page.goto(server.url("/kb/new"))
    page.fill("#body", "")

    with page.expect_file_chooser() as chooser:
        page.click("[data-image-choose]")
    chooser.value.set_files(str(path))

    page.wait_for_function("() => document.querySelector('#body').value.includes('![image](/kb/images/')")
