from app.sandbox.callbacks import CallbackResult


def test_summary_is_one_short_line_a_person_can_read() -> None:
    assert CallbackResult(200, "").summary() == "HTTP 200"
    assert CallbackResult(400, "Missing field: id\nmore").summary() == "HTTP 400: Missing field: id"
    flask_404 = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>"
    assert CallbackResult(404, flask_404).summary() == "HTTP 404: 404 Not Found"
    assert CallbackResult(502, "<html><body>bad</body></html>").summary() == "HTTP 502: HTML page"
    assert CallbackResult(200, '{"status": "stored"}').summary() == "HTTP 200: stored"
    assert CallbackResult(400, '{"error": "text: missing", "field": "text"}').summary() == (
        "HTTP 400: text: missing")
    assert CallbackResult(200, "{not json").summary() == "HTTP 200: {not json"
    assert CallbackResult(None, "", "cannot reach Linda").summary() == "cannot reach Linda"
    assert not CallbackResult(None, "", "x").ok and CallbackResult(201, "").ok
