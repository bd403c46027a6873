"""Images in articles: checking, cleaning and storing an upload, who may see it, attaching it.

An upload is trusted for nothing. It is decoded with Pillow, which decides what it is (the name
and the declared type are ignored): only PNG, JPEG and WebP are accepted, and SVG (which can carry
script), GIF and everything else are refused. The header's size is checked against the pixel limit
before a single pixel is decoded, so a decompression bomb costs nothing; a truncated or damaged
file is refused when it is decoded. The pixels are then turned upright by their EXIF orientation,
copied into a new image (which leaves every piece of metadata behind: EXIF with its GPS position,
XMP, ICC profiles, text chunks), scaled down to the maximum width, and encoded again in the
format they came in: PNG stays PNG (screenshots, the most common image of a how-to, stay sharp and
keep their transparency), photos stay JPEG or WebP (small). Only the re-encoded bytes are stored.

An image belongs to the article it was pasted into once that article is saved (attach_images);
until then only its uploader may see it. Afterwards, whoever may read the article may see it.
"""
import io
import logging
import re
import warnings
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy import select

from accounts.permissions import can, require
from core.api import MAX_RECORD_ID, RequestTooLarge
from errors import Invalid, NotFound
from extensions import db
from kb.models import Article, ArticleImage

logger = logging.getLogger(__name__)

# Pillow's format name → (the file extension we store, the Content-Type we serve).
ACCEPTED_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
JPEG_QUALITY = 85
WEBP_QUALITY = 85
IMAGE_PATH = "/kb/images/%d"
# Where an article's Markdown points at one of our images (its own host, or the path alone).
_IMAGE_REFERENCE = re.compile(r"/kb/images/([0-9]{1,10})(?![0-9])")
MAX_ATTACHED_PER_SAVE = 500
MULTIPART_ALLOWANCE = 64 * 1024
# Uploads that no saved article shows after this long are removed (kb/jobs.py, daily).
UNUSED_IMAGE_DAYS = 7

SEND_AN_IMAGE = _l("Send the image as the multipart field \"file\".")
ARTICLE_ID_NUMBER = _l("article_id must be a whole number.")
NO_SUCH_IMAGE = _l("There is no such image.")
NOT_AN_IMAGE = _l("This file is not an image Knowhow accepts: send a PNG, JPEG or WebP image.")


@dataclass(frozen=True)
class ImageLimits:
    """How large an upload may be: bytes of the file, pixels it decodes to, width it is kept at."""

    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 25_000_000
    max_width: int = 2000

    @classmethod
    def from_config(cls, config):
        """The limits of the settings KNOWHOW_MAX_IMAGE_MB, _MEGAPIXELS and _WIDTH."""
        return cls(config["MAX_IMAGE_BYTES"], config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_WIDTH"])


@dataclass(frozen=True)
class CleanImage:
    """An upload re-encoded without its metadata: the bytes to store and what they are."""

    data: bytes
    extension: str
    mime: str
    width: int
    height: int


def too_large_message(max_bytes=None):
    """What to say about a file over the size limit (by default the MAX_IMAGE_BYTES setting)."""
    return _l("The image is too large: at most %(limit)s MB.", limit=image_max_megabytes(max_bytes))


def image_max_megabytes(max_bytes=None):
    """The size limit in MB as text ("10", "1.5"), by default the MAX_IMAGE_BYTES setting's."""
    if max_bytes is None:
        max_bytes = current_app.config["MAX_IMAGE_BYTES"] if has_app_context() else ImageLimits.max_bytes
    return _megabytes(max_bytes)


def image_request_bytes(config):
    """The largest upload request: the image limit and its multipart wrapping (boundaries,
    headers, the article_id field)."""
    return config["MAX_IMAGE_BYTES"] + MULTIPART_ALLOWANCE


def _megabytes(size):
    value = size / (1024 * 1024)
    return ("%d" % value) if value == int(value) else ("%.1f" % value)


def clean_image(data, limits):
    """Decode, check and re-encode uploaded bytes (see the module's docstring).

    :raises Invalid: on the field "file", saying why (empty, not an accepted format, too many
        pixels, damaged).
    :raises RequestTooLarge: over `limits.max_bytes`.
    """
    if not data:
        raise Invalid("file", _l("The file is empty: choose an image."))
    if len(data) > limits.max_bytes:
        raise RequestTooLarge(too_large_message(limits.max_bytes))
    if _looks_like_svg(data):
        raise Invalid("file", _l("SVG images are refused (they can carry scripts): send a PNG, "
                                 "JPEG or WebP image, e.g. a screenshot."))
    image = _open(data)
    if image.format not in ACCEPTED_FORMATS:
        raise Invalid("file", NOT_AN_IMAGE)
    width, height = image.size
    if width < 1 or height < 1 or width * height > limits.max_pixels:
        raise Invalid("file", _l("The image has too many pixels (%(width)d × %(height)d): at most "
                                 "%(limit)s megapixels.", width=width, height=height,
                                 limit=_megapixels(limits.max_pixels)))
    extension, mime = ACCEPTED_FORMATS[image.format]
    pixels = _downscale(_decode(data), limits.max_width)
    return CleanImage(_encode(pixels, image.format), extension, mime, *pixels.size)


def _megapixels(pixels):
    value = pixels / 1_000_000
    return ("%d" % value) if value == int(value) else ("%.1f" % value)


def _looks_like_svg(data):
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _open(data):
    """The image's header read (no pixels decoded yet); Invalid if Pillow sees no image."""
    try:
        with warnings.catch_warnings():
            # Our own pixel limit, lower, is checked right after: Pillow's warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only the parsers of the accepted formats ever see the bytes.
            return Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except Image.DecompressionBombError:
        raise Invalid("file", _l("The image has too many pixels.")) from None
    except Exception:  # noqa: BLE001  (hostile bytes make Pillow raise many kinds of error)
        raise Invalid("file", NOT_AN_IMAGE) from None


def _decode(data):
    """Every pixel, upright, as RGB or RGBA; Invalid for a truncated or damaged file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            checked = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
            checked.verify()  # checksums and structure, where the format has them (PNG)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
            image.load()
            image = ImageOps.exif_transpose(image)
            has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
            # A new image from the pixels alone: no EXIF, XMP, ICC profile or text chunk follows.
            return image.convert("RGBA" if has_alpha else "RGB").copy()
    except Invalid:
        raise
    except Exception as error:  # noqa: BLE001  (truncated files raise OSError, others more)
        logger.info("an uploaded image could not be decoded: %s", error)
        raise Invalid("file", _l("The image is damaged or incomplete (it could not be read to the "
                                 "end): save it again and upload the new file.")) from None


def _downscale_size(size, max_width):
    width, height = size
    if width <= max_width:
        return width, height
    return max_width, max(1, round(height * max_width / width))


def _downscale(image, max_width):
    size = _downscale_size(image.size, max_width)
    return image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)


def _encode(image, source_format):
    # Pixels copied to a fresh image carry an empty `info`: nothing of the original is written.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    output = io.BytesIO()
    if source_format == "JPEG":
        clean.convert("RGB").save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif source_format == "WEBP":
        clean.save(output, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        clean.save(output, "PNG")
    return output.getvalue()


def store_image(uploader, cleaned, store, article_id=None):
    """Store an image cleaned by clean_image for `uploader`. It belongs to the article
    `article_id` at once when one is given (the uploader must be allowed to edit it), else when
    an article that shows it is saved (attach_images).

    Cleaning is a separate step so that callers can do it, seconds of CPU for a large photo,
    before they take the database's write lock.

    :param store: the storage (core/storage.py FileStore) the file is saved in.
    :raises NotFound: `article_id` names no article the uploader may read.
    :raises PermissionDenied: the uploader may read that article but not edit it.
    """
    require(uploader, "article.create")
    article = None
    if article_id is not None:
        article = db.session.get(Article, article_id) if 0 < article_id <= MAX_RECORD_ID else None
        if article is None or not can(uploader, "article.view", article):
            raise NotFound(_l("There is no such article."))
        require(uploader, "article.edit", article)
    key = store.save(cleaned.data, cleaned.extension)
    image = ArticleImage(storage_key=key, uploader=uploader, article=article, width=cleaned.width,
                         height=cleaned.height, size_bytes=len(cleaned.data), mime=cleaned.mime)
    db.session.add(image)
    db.session.flush()
    return image


def image_json(image):
    """An uploaded image as the editor and the API see it."""
    return {"id": image.id, "url": image_path(image), "width": image.width, "height": image.height,
            "mime": image.mime, "bytes": image.size_bytes, "article_id": image.article_id,
            "markdown": image_markdown(image)}


def image_path(image):
    """The path an image is served at (and Markdown points to)."""
    return IMAGE_PATH % image.id


def image_markdown(image, alt="image"):
    """The Markdown that shows the image in an article."""
    alt = re.sub(r"[\[\]\\\r\n]", " ", str(alt)).strip() or "image"
    return "![%s](%s)" % (alt, image_path(image))


def may_see_image(user, image):
    """Readers of its article; before it has one, only its uploader."""
    if image.article_id is None:
        return image.uploader_id is not None and image.uploader_id == getattr(user, "id", None)
    return can(user, "article.view", image.article)


def get_image(image_id, user):
    """The image if `user` may see it; NotFound otherwise, so that ids do not tell what exists."""
    image = db.session.get(ArticleImage, image_id) if 0 < image_id <= MAX_RECORD_ID else None
    if image is None or not may_see_image(user, image):
        raise NotFound(NO_SUCH_IMAGE)
    return image


def attach_images(article, editor):
    """Give the article the images its body shows that `editor` uploaded and no article has yet."""
    ids = {int(number) for number in _IMAGE_REFERENCE.findall(article.body or "")}
    ids = sorted(number for number in ids if 0 < number <= MAX_RECORD_ID)[:MAX_ATTACHED_PER_SAVE]
    if not ids or editor is None or article.id is None:
        return []
    images = db.session.scalars(select(ArticleImage).where(
        ArticleImage.id.in_(ids), ArticleImage.article_id.is_(None),
        ArticleImage.uploader_id == editor.id)).all()
    for image in images:
        image.article_id = article.id
    return images


def remove_unused_images(now, older_than_days=UNUSED_IMAGE_DAYS):
    """Forget the uploads no saved article took up within `older_than_days` (pasted, then the
    article was never saved, or the image was removed before saving); returns the storage keys
    that no image refers to any more, for the caller to delete after its commit
    (delete_unreferenced_files)."""
    cutoff = now - timedelta(days=older_than_days)
    unused = db.session.scalars(select(ArticleImage).where(
        ArticleImage.article_id.is_(None), ArticleImage.created_at < cutoff)).all()
    keys = {image.storage_key for image in unused}
    for image in unused:
        db.session.delete(image)
    db.session.flush()
    return sorted(keys - _referenced_keys(keys))


def delete_unreferenced_files(store, keys):
    """Delete the files of `keys` that no image refers to (checked again: the same picture may
    have been uploaded meanwhile); how many were deleted."""
    deleted = 0
    for key in sorted(set(keys) - _referenced_keys(keys)):
        store.delete(key)
        deleted += 1
    return deleted


def _referenced_keys(keys):
    if not keys:
        return set()
    return set(db.session.scalars(select(ArticleImage.storage_key).where(
        ArticleImage.storage_key.in_(sorted(keys)))).all())
