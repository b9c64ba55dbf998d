"""The email digest's settings and the daily workflow's email job, read rather than run: an SMTP URL's
port by its scheme and a password never shown, and a job that runs after a deploy, only with the
secrets. Sending to a real SMTP server: tests/site/test_email.py."""

from __future__ import annotations

from typing import Any

from support.paths import REPO

from generator.publish.mailer import parse_smtp_url


def test_smtp_url_defaults_its_port_by_scheme() -> None:
    assert parse_smtp_url("smtp://u:p@mail.example.org").port == 587
    assert parse_smtp_url("smtps://u:p@mail.example.org").port == 465
    assert parse_smtp_url("smtp+plain://relay.example.org").port == 25
    server = parse_smtp_url("smtp://u:hunter2@mail.example.org")
    assert server.password == "hunter2" and "hunter2" not in repr(server) + server.describe()


WORKFLOW = REPO / ".github" / "workflows" / "daily.yml"


def email_job() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["email"]


def step_named(job: dict[str, Any], name: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if s.get("name") == name]
    return step


def test_the_email_job_runs_after_a_deploy_and_only_with_the_secrets() -> None:
    job = email_job()
    assert job["needs"] == ["update", "deploy"]
    assert job["if"] == "${{ !cancelled() && needs.deploy.outputs.page_url != '' }}"
    assert job["permissions"] == {"contents": "write"}
    check = job["steps"][0]
    assert check["id"] == "secrets"
    assert check["env"] == {name: f"${{{{ secrets.{name} }}}}" for name in ("SMTP_URL", "MAIL_FROM", "MAIL_TO")}
    for step in job["steps"][1:]:
        assert "steps.secrets.outputs.configured == 'true'" in step["if"], step.get("name", step.get("uses"))
    send = step_named(job, "Send the digest")
    assert send["run"].strip() == "dailypapers email"
    assert send["env"]["SITE_URL"] == "${{ needs.update.outputs.site_url }}"
    assert "continue-on-error" not in send, "a mail failure fails the run visibly"
    assert "secrets." not in "".join(s.get("run", "") for s in job["steps"]), "secrets only through env"
    assert step_named(job, "Commit and push the sent record")["if"].startswith("${{ !cancelled()")
