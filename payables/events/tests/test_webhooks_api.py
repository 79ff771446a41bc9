"""The webhook subscription API: create, list, get, change, delete, rotate; refusals.

These tests need no receiver: the confirmation request is queued after commit, which
a test inside one transaction never reaches.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payables.conftest import ApiClient
from payables.events.models import WebhookMessage, WebhookSubscription
from payables.events.tests.receivers import subscribe
from payables.tenancy.models import Company

TARGET = "http://127.0.0.1:9/hooks"


def test_creates_a_pending_subscription_and_shows_the_secret_once(api: ApiClient):
    created = subscribe(api, TARGET, ["invoice.created", "invoice.approved"])

    assert created["state"] == "pending"
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["invoice.created", "invoice.approved"]
    shown = api.get(f"/webhooks/{created['id']}").json()
    assert "secret" not in shown
    assert shown["state"] == "pending"


def test_queues_a_confirmation_request_for_the_target(api: ApiClient):
    created = subscribe(api, TARGET)

    message = WebhookMessage.objects.get(subscription_id=created["id"])
    assert message.type == "SubscriptionConfirmation"
    confirm_url = message.payload["data"]["confirm_url"]
    assert confirm_url.startswith("http://127.0.0.1:8000/api/v1/webhooks/confirm/")


def test_lists_subscriptions_in_pages(api: ApiClient):
    for n in range(3):
        subscribe(api, f"{TARGET}/{n}")

    answer = api.get("/webhooks", {"page_size": 2}).json()

    assert answer["count"] == 3
    assert [s["target"] for s in answer["items"]] == [f"{TARGET}/0", f"{TARGET}/1"]


def test_refuses_unknown_event_types_at_their_index(api: ApiClient):
    answer = api.post(
        "/webhooks",
        {"name": "x", "event_types": ["invoice.created", "invoice.exploded"], "target": TARGET},
    )

    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["detail"]] == [["body", "event_types", 1]]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"event_types": []}, ["body", "event_types"]),
        ({"target": "ftp://example.com/x"}, ["body", "target"]),
        ({"target": "not a url"}, ["body", "target"]),
        ({"name": ""}, ["body", "name"]),
        ({"retry_schedule": [20, 0]}, ["body", "retry_schedule", 1]),
        ({"secret": "whsec_mine"}, ["body", "secret"]),
    ],
)
def test_refuses_bad_input_with_its_location(api: ApiClient, payload: dict, loc: list):
    body = {"name": "ERP", "event_types": ["*"], "target": TARGET} | payload

    answer = api.post("/webhooks", body)

    assert answer.status_code == 422, answer.content
    assert loc in [e["loc"] for e in answer.json()["detail"]]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/hooks",
        "http://localhost:8080/hooks",
        "https://10.1.2.3/hooks",
        "http://192.168.1.20/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://0.0.0.0/hooks",
        "http://2130706433/hooks",  # 127.0.0.1 written as one number
    ],
)
def test_refuses_private_targets_unless_allowed(api: ApiClient, settings, target: str):
    settings.PAYABLES_WEBHOOK_ALLOW_PRIVATE = False

    answer = api.post("/webhooks", {"name": "x", "event_types": ["*"], "target": target})

    assert answer.status_code == 422, answer.content
    assert answer.json()["detail"][0]["loc"] == ["body", "target"]
    assert answer.json()["detail"][0]["type"] == "target_refused"


@pytest.mark.parametrize(
    "target",
    [
        "http://[2002:7f00:1::]/hooks",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::]/hooks",  # 6to4 of 10.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/hooks",  # NAT64 of 169.254.169.254
        "http://[::c0a8:114]/hooks",  # IPv4-compatible 192.168.1.20
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks",  # Teredo
        "http://[::ffff:10.0.0.1]/hooks",  # IPv4-mapped
    ],
)
def test_refuses_ipv6_addresses_that_lead_to_private_ipv4(api: ApiClient, settings, target: str):
    settings.PAYABLES_WEBHOOK_ALLOW_PRIVATE = False

    answer = api.post("/webhooks", {"name": "x", "event_types": ["*"], "target": target})

    assert answer.status_code == 422, answer.content
    assert answer.json()["detail"][0]["loc"] == ["body", "target"]
    assert not WebhookSubscription.objects.exists()


def test_a_malformed_ipv6_target_is_refused_at_its_field(api: ApiClient):
    created = subscribe(api, TARGET)

    made = api.post("/webhooks", {"name": "x", "event_types": ["*"], "target": "http://[::1/x"})
    changed = api.patch(f"/webhooks/{created['id']}", {"target": "http://[::1/x"})

    for answer in (made, changed):
        assert answer.status_code == 422, answer.content
        assert answer.json()["detail"][0]["loc"] == ["body", "target"]
    assert WebhookSubscription.objects.get().target == TARGET


def test_refuses_a_private_target_on_update(api: ApiClient, settings):
    created = subscribe(api, TARGET)
    settings.PAYABLES_WEBHOOK_ALLOW_PRIVATE = False

    answer = api.patch(f"/webhooks/{created['id']}", {"target": "http://10.0.0.5/hooks"})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "target"]
    assert WebhookSubscription.objects.get(pk=created["id"]).target == TARGET


def test_updates_name_types_and_schedule(api: ApiClient):
    created = subscribe(api, TARGET)

    answer = api.patch(
        f"/webhooks/{created['id']}",
        {"name": "Booking", "event_types": ["invoice.booked"], "retry_schedule": [5, 10]},
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["name"], body["event_types"], body["retry_schedule"]) == (
        "Booking",
        ["invoice.booked"],
        [5, 10],
    )
    cleared = api.patch(f"/webhooks/{created['id']}", {"retry_schedule": None}).json()
    assert cleared["retry_schedule"] is None


def test_update_refuses_unknown_types_at_their_index(api: ApiClient):
    created = subscribe(api, TARGET)

    answer = api.patch(f"/webhooks/{created['id']}", {"event_types": ["*", "nope", "nah"]})

    assert answer.status_code == 422
    locs = [e["loc"] for e in answer.json()["detail"]]
    assert locs == [["body", "event_types", 1], ["body", "event_types", 2]]


def test_a_pending_subscription_cannot_be_activated_by_patch(api: ApiClient):
    created = subscribe(api, TARGET)

    answer = api.patch(f"/webhooks/{created['id']}", {"state": "active"})

    assert answer.status_code == 409
    assert WebhookSubscription.objects.get(pk=created["id"]).state == "pending"


def test_a_new_target_must_confirm_again(api: ApiClient):
    created = subscribe(api, TARGET)
    WebhookSubscription.objects.filter(pk=created["id"]).update(state="active")

    answer = api.patch(f"/webhooks/{created['id']}", {"target": "http://127.0.0.1:10/new"})

    assert answer.json()["state"] == "pending"
    confirmations = WebhookMessage.objects.filter(
        subscription_id=created["id"], type="SubscriptionConfirmation"
    )
    assert confirmations.count() == 2


def test_rotating_returns_a_new_secret(api: ApiClient):
    created = subscribe(api, TARGET)

    answer = api.post(f"/webhooks/{created['id']}/rotate-secret")

    assert answer.status_code == 200
    assert answer.json()["secret"].startswith("whsec_")
    assert answer.json()["secret"] != created["secret"]
    assert WebhookSubscription.objects.get(pk=created["id"]).secret == answer.json()["secret"]


def test_deletes_a_subscription(api: ApiClient):
    created = subscribe(api, TARGET)

    assert (
        api.client.delete(
            f"/api/v1/webhooks/{created['id']}", headers={"X-API-Key": api.key}
        ).status_code
        == 204
    )
    assert api.get(f"/webhooks/{created['id']}").status_code == 404


def test_other_company_gets_404(api: ApiClient, other_api: ApiClient):
    created = subscribe(api, TARGET)
    webhook = f"/webhooks/{created['id']}"
    message = WebhookMessage.objects.get(subscription_id=created["id"])

    assert other_api.get(webhook).status_code == 404
    assert other_api.patch(webhook, {"name": "mine"}).status_code == 404
    assert other_api.post(f"{webhook}/rotate-secret").status_code == 404
    assert other_api.get(f"{webhook}/deliveries").status_code == 404
    assert other_api.post(f"{webhook}/deliveries/{message.pk}/redeliver").status_code == 404
    assert (
        other_api.client.delete(f"/api/v1{webhook}", headers={"X-API-Key": other_api.key})
    ).status_code == 404
    assert other_api.get("/webhooks").json()["count"] == 0
    assert WebhookSubscription.objects.get(pk=created["id"]).name == "ERP"


def test_scopes_guard_reading_and_writing(company: Company, make_key: Callable[..., str]):
    reader = ApiClient(make_key(company, ["webhooks:read"], integrator="Reader"))
    nobody = ApiClient(make_key(company, ["invoices:read"], integrator="Nobody"))

    assert reader.get("/webhooks").status_code == 200
    assert reader.post("/webhooks", {}).status_code == 403
    assert nobody.get("/webhooks").status_code == 403
    assert ApiClient(None).get("/webhooks").status_code == 401


def test_confirming_an_unknown_token_is_404(api: ApiClient):
    assert api.client.get("/api/v1/webhooks/confirm/not-a-token").status_code == 404


def test_only_finished_messages_can_be_redelivered(api: ApiClient):
    created = subscribe(api, TARGET)
    message = WebhookMessage.objects.get(subscription_id=created["id"])

    answer = api.post(f"/webhooks/{created['id']}/deliveries/{message.pk}/redeliver")

    assert answer.status_code == 409
    assert answer.json()["code"] == "redelivery_refused"


def test_admin_shows_subscriptions_and_messages_without_the_secret(api: ApiClient, admin_client):
    created = subscribe(api, TARGET)
    message = WebhookMessage.objects.get(subscription_id=created["id"])

    listing = admin_client.get("/admin/sync/webhooksubscription/")
    detail = admin_client.get(f"/admin/sync/webhooksubscription/{created['id']}/change/")
    shown = admin_client.get(f"/admin/sync/webhookmessage/{message.pk}/change/")

    assert listing.status_code == detail.status_code == shown.status_code == 200
    assert created["secret"] not in detail.content.decode()


def test_every_subscription_change_is_an_event_without_the_secret(api, company):
    from payables.events.models import Event

    created = api.post(
        "/webhooks",
        {"name": "ERP", "event_types": ["invoice.approved"], "target": "http://127.0.0.1:9/h"},
    ).json()
    sub_id = created["id"]
    api.patch(f"/webhooks/{sub_id}", {"name": "ERP 2"})
    api.post(f"/webhooks/{sub_id}/rotate-secret")
    api.delete(f"/webhooks/{sub_id}")
    events = Event.objects.filter(subject_type="webhook_subscription").order_by("sequence")
    assert [e.type for e in events] == [
        "webhook_subscription.created",
        "webhook_subscription.updated",
        "webhook_subscription.secret_rotated",
        "webhook_subscription.deleted",
    ]
    assert events[1].payload["changed_fields"] == ["name"]
    assert all("secret" not in e.payload for e in events)
    assert all(created["secret"] not in str(e.payload) for e in events)
