"""Finding 4: the sandbox (no login, fake AT) is served only on a laptop without an AT account.

Every combination of environment and credentials: development and testing without any AT
credential serve it; any credential, or production, never does.
"""

from __future__ import annotations

import itertools

import pytest

from app.config import ConfigError

STRONG = {"SECRET_KEY": "Sk9" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ", "LINDA_DATA_KEY":
          "Dk4" + "Qw7Er2Ty9Ui5Op1As6Df3Gh8Jk0Lz4Xc", "LINDA_WEBHOOK_TOKEN":
          "Wt2" + "Mn8Bv5Cx2Zl9Kj6Hg3Fd0Sa7Po4Iu1Yt"}
CREDENTIALS = {"none": {}, "username": {"AT_USERNAME": "linda"},
               "api key": {"AT_API_KEY": "k" * 40},
               "both": {"AT_USERNAME": "linda", "AT_API_KEY": "k" * 40}}


@pytest.mark.parametrize(("env", "creds"), list(itertools.product(
    ["development", "testing", "production"], CREDENTIALS)))
def test_sandbox_only_in_development_without_credentials(make_app, env, creds) -> None:
    settings = {"LINDA_ENV": env, **STRONG, **CREDENTIALS[creds]}
    if env == "production":
        settings["REDIS_URL"] = "redis://127.0.0.1:1/0"
    expected = env in ("development", "testing") and creds == "none"
    try:
        app = make_app(env=settings)
    except ConfigError:
        # Refuses to start, so no sandbox either: production without an account, or half an
        # account anywhere (the SMS would go to a sandbox that is not served).
        assert (env == "production" and creds == "none") or creds in ("username", "api key")
        return
    client = app.test_client()
    with app.app_context():
        page = client.get("/sandbox/")
        api = client.post("/sandbox/version1/messaging", headers={"apiKey": "k" * 40},
                          data={"username": "linda", "to": "+255712000001", "message": "x"})
    assert (page.status_code == 200) is expected, page.status_code
    assert (api.status_code != 404) is expected, api.status_code
