"""Images in articles: uploads decoded and re-encoded without metadata, refusals, limits, storage,
who may see an image, its headers, attaching it to the article that shows it, the API."""
import io
import os
import struct
import zlib
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from accounts.services import get_user
from core.markdown import render_markdown
from core.storage import FileStore, image_store
from extensions import db
from kb import services
from kb.models import Article, ArticleImage
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import HOWTO_BODY, make_article, make_category

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


@pytest.fixture
def people(app):
    """A lead, two agents and the internet category."""
    with app.app_context():
        make_user("lead", role="lead")
        make_user("agent")
        make_user("other")
        make_category("internet")
    return app


def image_bytes(fmt, size=(40, 20), mode="RGB", color=(200, 30, 30), **save):
    image = Image.new(mode, size, color)
    output = io.BytesIO()
    image.save(output, fmt, **save)
    return output.getvalue()


def jpeg_with_gps(size=(60, 30), orientation=None):
    """A JPEG whose EXIF holds a GPS position and a camera make (and an orientation if given)."""
    image = Image.new("RGB", size, (20, 120, 220))
    exif = Image.Exif()
    exif[MAKE] = "SpyCam"
    if orientation:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (51.0, 23.0, 19.0)})
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif.tobytes(), comment=b"secret note")
    data = output.getvalue()
    assert b"SpyCam" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


def png_claiming(width, height):
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's shape)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


def signed_in(app, username="agent"):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "correct-horse-battery"})
    assert response.status_code == 302
    return client


def upload(client, data, filename="paste.png", **fields):
    return client.post("/kb/images", data={"file": (io.BytesIO(data), filename), **fields},
                       content_type="multipart/form-data", headers={"Accept": "application/json"})


def stored(app, image_id):
    with app.app_context():
        image = db.session.get(ArticleImage, image_id)
        with image_store().open(image.storage_key) as stream:
            return image, stream.read()


# Accepted formats, re-encoded


def test_a_jpeg_is_stored_without_its_gps_position_or_any_metadata(people):
    response = upload(signed_in(people), jpeg_with_gps(), "holiday.jpg")

    assert response.status_code == 201, response.get_json()
    image, data = stored(people, response.get_json()["id"])
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "JPEG" and image.mime == "image/jpeg"
    assert not decoded.getexif() and not decoded.getexif().get_ifd(GPS_IFD)
    assert "exif" not in decoded.info and "comment" not in decoded.info and "icc_profile" not in decoded.info
    assert b"SpyCam" not in data and b"secret note" not in data


def test_the_exif_orientation_is_applied_before_it_is_dropped(people):
    response = upload(signed_in(people), jpeg_with_gps((60, 30), orientation=6), "phone.jpg")

    assert response.status_code == 201
    body = response.get_json()
    assert (body["width"], body["height"]) == (30, 60)  # turned upright, as the phone showed it
    _image, data = stored(people, body["id"])
    assert Image.open(io.BytesIO(data)).size == (30, 60)


def test_a_png_screenshot_stays_a_png_with_its_transparency(people):
    source = image_bytes("PNG", (50, 40), "RGBA", (0, 128, 0, 100))
    response = upload(signed_in(people), source, "screenshot.png")

    assert response.status_code == 201
    _image, data = stored(people, response.get_json()["id"])
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "PNG" and decoded.mode == "RGBA"
    assert decoded.getpixel((3, 3)) == (0, 128, 0, 100)


def test_png_text_chunks_are_dropped(people):
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("Author", "agent 42 at home")
    source = image_bytes("PNG", pnginfo=info)
    assert b"agent 42 at home" in source

    response = upload(signed_in(people), source)

    _image, data = stored(people, response.get_json()["id"])
    assert b"agent 42 at home" not in data and not Image.open(io.BytesIO(data)).text


def test_a_webp_is_accepted_and_stays_webp(people):
    response = upload(signed_in(people), image_bytes("WEBP"), "photo.webp")

    assert response.status_code == 201
    body = response.get_json()
    assert body["mime"] == "image/webp" and body["markdown"] == "![image](/kb/images/%d)" % body["id"]
    assert Image.open(io.BytesIO(stored(people, body["id"])[1])).format == "WEBP"


def test_the_format_is_decided_by_decoding_not_by_the_name(people):
    response = upload(signed_in(people), image_bytes("JPEG"), "looks-like.png")

    assert response.status_code == 201 and response.get_json()["mime"] == "image/jpeg"


def test_a_very_wide_image_is_scaled_down_to_the_maximum_width(people):
    people.config["MAX_IMAGE_WIDTH"] = 100
    response = upload(signed_in(people), image_bytes("PNG", (400, 50)))

    body = response.get_json()
    assert (body["width"], body["height"]) == (100, 12)
    assert Image.open(io.BytesIO(stored(people, body["id"])[1])).size == (100, 12)


# Refusals


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.mark.parametrize(("data", "message"), [
    (SVG, "SVG images are refused"),
    (b"  <svg xmlns='http://www.w3.org/2000/svg'></svg>", "SVG images are refused"),
    (image_bytes("GIF"), "send a PNG, JPEG or WebP image"),
    (image_bytes("BMP"), "send a PNG, JPEG or WebP image"),
    (b"%PDF-1.7 not an image at all" * 10, "send a PNG, JPEG or WebP image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "send a PNG, JPEG or WebP image"),
    (b"", "The file is empty"),
    (image_bytes("PNG", (300, 300))[:-200], "damaged or incomplete"),
    (image_bytes("JPEG", (300, 300))[:700], "damaged or incomplete"),
    (png_claiming(100_000, 100_000), "too many pixels"),
    (png_claiming(0, 10), "send a PNG, JPEG or WebP image"),
], ids=["svg", "svg-with-blanks", "gif", "bmp", "pdf", "png-garbage", "empty", "truncated-png",
        "truncated-jpeg", "bomb", "zero-width"])
def test_what_is_not_a_png_jpeg_or_webp_is_refused_with_a_clear_422(people, data, message):
    response = upload(signed_in(people), data, "upload.png")

    assert response.status_code == 422, response.data[:200]
    error = response.get_json()["error"]
    assert message in error["message"] and error["fields"]["file"] == error["message"]
    with people.app_context():
        assert db.session.scalar(select(func.count(ArticleImage.id))) == 0


def test_the_pixel_limit_is_a_setting(people):
    people.config["MAX_IMAGE_PIXELS"] = 1000
    client = signed_in(people)

    assert upload(client, image_bytes("PNG", (40, 25))).status_code == 201
    refused = upload(client, image_bytes("PNG", (40, 26)))
    assert refused.status_code == 422 and "40 × 26" in refused.get_json()["error"]["message"]


def test_a_file_over_the_size_limit_is_a_413_that_names_the_limit(people):
    people.config["MAX_IMAGE_BYTES"] = 1024 * 1024
    noisy = Image.frombytes("RGB", (800, 800), os.urandom(800 * 800 * 3))
    output = io.BytesIO()
    noisy.save(output, "PNG")
    assert output.tell() > 1024 * 1024

    # Encoded here: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(output.getvalue()), "big.png")})
    response = signed_in(people).post("/kb/images", data=body, headers={"Accept": "application/json"},
                                      content_type="multipart/form-data; boundary=" + boundary)

    assert response.status_code == 413
    assert "at most 1 MB" in response.get_json()["error"]["message"]


def test_an_upload_without_a_file_is_refused(people):
    response = signed_in(people).post("/kb/images", data={"article_id": "1"},
                                      headers={"Accept": "application/json"})

    assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]


def test_signed_out_uploads_go_to_the_sign_in_page(people):
    response = upload(people.test_client(), image_bytes("PNG"))

    assert response.status_code == 302 and "/login" in response.location


def test_the_page_upload_needs_the_csrf_token(people):
    client = signed_in(people)
    people.config["WTF_CSRF_ENABLED"] = True  # as in production, for this test

    response = upload(client, image_bytes("PNG"))

    assert response.status_code == 400


# Storage


def test_the_same_image_is_stored_once(people):
    client = signed_in(people)
    data = image_bytes("PNG", (33, 17), color=(1, 2, 3))
    first, second = upload(client, data).get_json(), upload(client, data).get_json()

    assert first["id"] != second["id"]
    with people.app_context():
        keys = {db.session.get(ArticleImage, body["id"]).storage_key for body in (first, second)}
        assert len(keys) == 1
        key = keys.pop()
        folder = os.path.dirname(os.path.join(people.config["UPLOADS_DIR"], "images", key))
        assert [name for name in os.listdir(folder) if name.startswith(os.path.basename(key)[:64])] \
            == [os.path.basename(key)]


def test_the_file_store_names_files_by_content_and_refuses_other_keys(tmp_path):
    store = FileStore(tmp_path)
    key = store.save(b"pixels", "png")

    assert key.startswith(key.split("/")[1][:2] + "/") and key.endswith(".png")
    assert store.save(b"pixels", "png") == key
    with store.open(key) as stream:
        assert stream.read() == b"pixels"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # gone already: nothing to do
    for bad in ("../../etc/passwd", "ab/../../x.png", "/etc/passwd", key.replace(".png", ".svg")):
        with pytest.raises(ValueError):
            store.open(bad)


# Who may see an image, and how it is served


def test_an_unattached_image_is_its_uploaders_alone(people):
    image_id = upload(signed_in(people, "agent"), image_bytes("PNG")).get_json()["id"]

    assert signed_in(people, "agent").get("/kb/images/%d" % image_id).status_code == 200
    assert signed_in(people, "other").get("/kb/images/%d" % image_id).status_code == 404
    assert signed_in(people, "lead").get("/kb/images/%d" % image_id).status_code == 404
    assert people.test_client().get("/kb/images/%d" % image_id).status_code == 302


def test_an_image_of_a_draft_is_seen_by_its_readers_only_then_by_all_once_published(people):
    agent = signed_in(people, "agent")
    body = upload(agent, image_bytes("PNG")).get_json()
    with people.app_context():
        article = make_article(get_user("agent"), body=HOWTO_BODY + "\n" + body["markdown"] + "\n")
        article_id = article.id
        assert db.session.get(ArticleImage, body["id"]).article_id == article_id
    path = body["url"]

    assert agent.get(path).status_code == 200
    assert signed_in(people, "other").get(path).status_code == 404  # a draft is its author's
    assert signed_in(people, "lead").get(path).status_code == 200  # the category's reviewer

    with people.app_context():
        article = db.session.get(Article, article_id)
        services.submit_for_review(article, get_user("agent"))
        services.publish_article(article, get_user("lead"))
        db.session.commit()
    assert signed_in(people, "other").get(path).status_code == 200


def test_an_image_is_served_with_safe_headers(people):
    client = signed_in(people)
    body = upload(client, image_bytes("PNG")).get_json()

    response = client.get(body["url"])

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == 'inline; filename="image-%d.png"' % body["id"]
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    cache = response.headers["Cache-Control"]
    assert cache.startswith("private, max-age=") and "public" not in cache
    assert Image.open(io.BytesIO(response.data)).size == (40, 20)
    again = client.get(body["url"], headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/kb/images/0", "/kb/images/999999", "/kb/images/2147483648",
                                  "/kb/images/99999999999999999999"])
def test_unknown_image_ids_are_404(people, path):
    assert signed_in(people).get(path).status_code == 404


def test_an_image_whose_file_is_gone_is_404_not_500(people):
    client = signed_in(people)
    body = upload(client, image_bytes("PNG", (11, 13))).get_json()
    with people.app_context():
        image_store().delete(db.session.get(ArticleImage, body["id"]).storage_key)

    assert client.get(body["url"]).status_code == 404


# Attaching images to articles


def test_saving_an_article_attaches_only_the_editors_unattached_images_it_shows(people):
    mine = upload(signed_in(people, "agent"), image_bytes("PNG", (5, 5))).get_json()
    theirs = upload(signed_in(people, "other"), image_bytes("PNG", (6, 6))).get_json()
    unused = upload(signed_in(people, "agent"), image_bytes("PNG", (7, 7))).get_json()
    with people.app_context():
        article = make_article(get_user("agent"), body="%s\n\n%s\n\nhttps://x/kb/images/%d0\n" % (
            mine["markdown"], theirs["markdown"], mine["id"]))
        attached = {image.id: image.article_id for image in db.session.scalars(select(ArticleImage))}
        article_id = article.id

    assert attached == {mine["id"]: article_id, theirs["id"]: None, unused["id"]: None}


def test_editing_an_article_attaches_the_image_pasted_into_it(people):
    with people.app_context():
        article_id = make_article(get_user("agent")).id
    client = signed_in(people, "agent")
    body = upload(client, image_bytes("JPEG")).get_json()

    response = client.post("/kb/%d/edit" % article_id, data={
        "title": "Modem DSL light blinking", "summary": "", "category": "internet", "lang": "en",
        "tags": "", "note": "", "base_revision": "1", "save": "Save draft",
        "body": HOWTO_BODY + "\n![the status page](%s)\n" % body["url"]})

    assert response.status_code == 302
    with people.app_context():
        assert db.session.get(ArticleImage, body["id"]).article_id == article_id
    page = client.get("/kb/%d" % article_id).get_data(as_text=True)
    assert '<img alt="the status page" src="%s">' % body["url"] in page


def test_an_upload_for_an_article_the_uploader_may_not_read_is_404_and_may_not_edit_403(people):
    with people.app_context():
        draft = make_article(get_user("agent"), title="Agent's draft").id
        published = make_article(get_user("lead"), title="Lead's article", status="published",
                                 publisher=get_user("lead")).id
    other = signed_in(people, "other")

    assert upload(other, image_bytes("PNG"), article_id=str(draft)).status_code == 404
    assert upload(other, image_bytes("PNG"), article_id=str(published)).status_code == 403
    assert upload(other, image_bytes("PNG"), article_id="abc").status_code == 422
    own = upload(signed_in(people, "agent"), image_bytes("PNG"), article_id=str(draft))
    assert own.status_code == 201 and own.get_json()["article_id"] == draft


# Markdown


def test_markdown_shows_our_images_and_turns_external_ones_into_links(people):
    with people.test_request_context():
        html = str(render_markdown("![ours](/kb/images/12) ![theirs](https://tracker.example/pixel.png)"))

    assert '<img alt="ours" src="/kb/images/12">' in html
    assert "<img" not in html.replace('<img alt="ours" src="/kb/images/12">', "")
    assert 'href="https://tracker.example/pixel.png"' in html


# The API


def test_the_api_uploads_an_image_for_an_article(people):
    with people.app_context():
        agent = get_user("agent")
        token = make_token(agent)
        article_id = make_article(agent).id
    client = people.test_client()

    response = client.post("/api/v1/images", headers=bearer(token), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(jpeg_with_gps()), "a.jpg"), "article_id": str(article_id)})

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "url", "width", "height", "markdown"}
    assert body["url"] == "/kb/images/%d" % body["id"] and body["article_id"] == article_id
    assert body["markdown"] == "![image](%s)" % body["url"]


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"data": {"file": (io.BytesIO(SVG), "x.svg")}, "content_type": "multipart/form-data"}, 422),
    ({"data": {"file": (io.BytesIO(b""), "x.png")}, "content_type": "multipart/form-data"}, 422),
    ({"data": {"article_id": "1"}, "content_type": "multipart/form-data"}, 422),
    ({"json": {"file": "iVBORw0KGgo="}}, 422),
    ({"data": {"file": (io.BytesIO(image_bytes("PNG")), "x.png"), "article_id": "-3"},
      "content_type": "multipart/form-data"}, 422),
], ids=["svg", "empty", "no-file", "json", "bad-article-id"])
def test_the_api_refuses_what_is_not_an_image_upload(people, kwargs, status):
    with people.app_context():
        token = make_token(get_user("agent"))

    response = people.test_client().post("/api/v1/images", headers=bearer(token), **kwargs)

    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_the_api_needs_a_token(people):
    response = people.test_client().post("/api/v1/images", content_type="multipart/form-data",
                                         data={"file": (io.BytesIO(image_bytes("PNG")), "x.png")})

    assert response.status_code == 401


# Unused uploads


def test_uploads_no_saved_article_took_up_in_a_week_are_removed_with_their_files(people, clock):
    from jobs import jobs
    from kb import jobs as kb_jobs
    client = signed_in(people, "agent")
    used = upload(client, image_bytes("PNG", (9, 9))).get_json()
    forgotten = upload(client, image_bytes("PNG", (8, 8))).get_json()
    shared = image_bytes("PNG", (7, 7))
    twice = [upload(client, shared).get_json() for _ in range(2)]
    with people.app_context():
        make_article(get_user("agent"), body="%s\n%s\n" % (used["markdown"], twice[0]["markdown"]))
        keys = {body["id"]: db.session.get(ArticleImage, body["id"]).storage_key
                for body in (used, forgotten, twice[1])}
    clock.shift(6 * 24 * 3600)
    with people.app_context():
        assert kb_jobs.remove_unused_images_daily.call_local() == 0  # not a week old yet
    clock.shift(2 * 24 * 3600)

    with people.app_context():
        assert kb_jobs.remove_unused_images_daily.call_local() == 1
        left = set(db.session.scalars(select(ArticleImage.id)).all())
        store = image_store()
        assert left == {used["id"], twice[0]["id"]}
        assert not store.exists(keys[forgotten["id"]])
        assert store.exists(keys[used["id"]]) and store.exists(keys[twice[1]["id"]])  # still shown
    assert "remove_unused_images_daily" in {
        task.name for task in jobs.read_periodic(datetime(2026, 5, 19, 3, 30))}
