"""The S3-compatible media store's options, read from the environment
(MEDIA_STORAGE=s3; docs/deploy.md "Media files"). A function so that
config/tests/test_media_s3.py builds the storage exactly as settings do."""

import environ


def s3_options(env: environ.Env) -> dict:
    return {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        # Unset: boto3 finds credentials itself (instance role, ~/.aws).
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        # Private objects; downloads go through the access-checked views,
        # never through bucket URLs.
        "default_acl": "private",
        "querystring_auth": True,
        # A new file never replaces another of the same name.
        "file_overwrite": False,
        # Files hold personal data: encrypted at rest by the store.
        "object_parameters": {"ServerSideEncryption": "AES256"}
        if env.bool("AWS_S3_SERVER_SIDE_ENCRYPTION", default=True) else {},
    }
