"""URL builders compiled once per rule build the very URLs Werkzeug's own build, for every kind of rule.

Run in a new Python: ``compile_once`` changes Werkzeug for the rest of the process it runs in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import json
    from flask import Flask, url_for
    from werkzeug.routing import BaseConverter
    from grader.sandbox import url_builders

    class Upper(BaseConverter):
        def to_url(self, value):
            return str(value).upper()

    def app(host_matching=False):
        built = Flask("shop", host_matching=host_matching, static_host="example.com" if host_matching else None)
        built.url_map.converters["upper"] = Upper
        view = lambda **values: ""
        for rule, endpoint, options in [
            ("/", "index", {}), ("/items/<int:item_id>", "item", {}), ("/tag/<upper:name>", "tag", {}),
            ("/page/", "page", {"defaults": {"number": 1}}), ("/page/<int:number>", "page", {}),
            ("/shelf/<path:rest>", "rest", {}), ("/odd//slashes/<x>", "odd", {}),
            ("/kept//slashes/<x>", "kept", {"merge_slashes": False}),
            ("/with/<name>", "defaulted", {"defaults": {"name": "ana lee"}}),
            ("/api/v<int:version>/items/", "api", {"defaults": {"version": 2}, "host": "example.com"}
             if host_matching else {"defaults": {"version": 2}, "subdomain": "api"}),
        ]:
            built.add_url_rule(rule, endpoint, view, **options)
        built.config["SERVER_NAME"] = "example.com"
        return built

    def urls(built):
        with built.test_request_context():
            return [url_for(*call[:1], **call[1]) for call in [
                ("index", {}), ("index", {"q": "a b", "_external": True}), ("item", {"item_id": 7}),
                ("tag", {"name": "flask"}), ("page", {}), ("page", {"number": 1}), ("page", {"number": 3}),
                ("rest", {"rest": "a/b c"}), ("odd", {"x": "1"}), ("kept", {"x": "1"}), ("defaulted", {}),
                ("api", {}), ("api", {"extra": "1", "_anchor": "top"}), ("static", {"filename": "s.css"}),
            ]]

    before = [urls(app(matching)) for matching in (False, True)]
    url_builders.compile_once()
    first = [urls(app(matching)) for matching in (False, True)]
    kept = len(url_builders._compiled)
    again = [urls(app(matching)) for matching in (False, True)]
    print(json.dumps({"before": before, "first": first, "again": again, "kept": kept,
                      "kept_after": len(url_builders._compiled)}))
''')


def test_urls_are_the_ones_werkzeug_builds():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True)
    built = json.loads(result.stdout)
    assert built["before"] == built["first"] == built["again"]
    assert built["kept"] > 0 and built["kept_after"] == built["kept"]  # the second apps compiled nothing new


FOLDER_SCRIPT = textwrap.dedent('''
    import json, sys
    from flask import Flask, url_for
    from grader.sandbox import url_builders

    compiled = []
    compile_builder = url_builders._compile_builder
    url_builders._compile_builder = lambda rule, append_unknown=True: (
        compiled.append(rule.rule), compile_builder(rule, append_unknown))[1]
    url_builders.compile_once(sys.argv[1])
    app = Flask("shop")
    app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: "")
    with app.test_request_context():
        print(json.dumps({"url": url_for("item", item_id=3, q="x"), "compiled": compiled}))
''')


def test_a_later_process_takes_the_code_from_the_folder(tmp_path):
    def run() -> dict:
        result = subprocess.run([sys.executable, "-c", FOLDER_SCRIPT, str(tmp_path / "kept")], capture_output=True,
                                text=True, timeout=60, check=True)
        return json.loads(result.stdout)

    first, second = run(), run()
    assert first["url"] == second["url"] == "/items/3?q=x"
    assert "/items/<int:item_id>" in first["compiled"] and "/items/<int:item_id>" not in second["compiled"]
    for path in (tmp_path / "kept").iterdir():
        path.write_bytes(b"not marshal data")  # what a submission may leave there: compiled again, same URL
    assert run() == first
