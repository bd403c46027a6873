"""The image upload of /api/v1: POST /images, a multipart `file` and an optional `article_id`."""
from typing import Annotated, Any

from flask import current_app
from flask_login import current_user
from pydantic import BeforeValidator, Field, PlainValidator, WithJsonSchema, model_validator
from werkzeug.datastructures import FileStorage

from core.api import MAX_RECORD_ID, Answer, Schema, operation
from core.storage import image_store
from database import begin_write, reads_first
from errors import Invalid
from extensions import db
from kb import services
from kb.api import kb_api
from security import body_limit


def _uploaded_file(value):
    if not isinstance(value, FileStorage):
        raise ValueError(services.SEND_AN_IMAGE)
    return value


def _blank_is_none(value):
    return None if value == "" else value


UploadedImage = Annotated[Any, PlainValidator(_uploaded_file), WithJsonSchema(
    {"type": "string", "format": "binary", "description": "A PNG, JPEG or WebP image."})]


class ImageForm(Schema):
    """The multipart body of an upload: the image, and the article it belongs to if known."""

    file: UploadedImage
    article_id: Annotated[int | None, BeforeValidator(_blank_is_none)] = Field(
        None, ge=1, le=MAX_RECORD_ID,
        description="The article the image belongs to (you must be allowed to edit it); without "
                    "it, the image belongs to the first article you save that shows it.")

    @model_validator(mode="before")
    @classmethod
    def _only_the_image_as_a_file(cls, data):
        # spectree reports refused inputs as JSON: a file object anywhere but "file" becomes its
        # name (and is refused by its member's rule), as in recognition/api.py.
        if isinstance(data, dict):
            return {key: value if key == "file" and isinstance(value, FileStorage) and value.filename
                    else _file_name(value) for key, value in data.items()}
        return data


def _file_name(value):
    if isinstance(value, list):
        return [_file_name(item) for item in value]
    return value.filename or "" if isinstance(value, FileStorage) else value


class ImageOut(Answer):
    id: int
    url: str
    width: int
    height: int
    mime: str
    bytes: int
    article_id: int | None
    markdown: str


@kb_api.post("/images")
@reads_first  # decoding a photo takes a while: not while holding the write lock
@body_limit(services.image_request_bytes, services.too_large_message)
@operation(form=ImageForm, ok=ImageOut, status=201, tags=["knowledge base"])
def upload_image(form):
    """Upload an image for an article: it is decoded, stripped of its metadata and re-encoded
    (PNG, JPEG or WebP only); the answer's `markdown` shows it in an article's body."""
    if form is None:  # not a form at all (JSON, plain text…)
        raise Invalid("file", services.SEND_AN_IMAGE)
    limits = services.ImageLimits.from_config(current_app.config)
    cleaned = services.clean_image(form.file.stream.read(limits.max_bytes + 1), limits)
    begin_write()
    image = services.store_image(current_user, cleaned, image_store(), form.article_id)
    db.session.commit()
    return services.image_json(image), 201
