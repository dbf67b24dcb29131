"""The OpenAPI description served by the portal describes the API the portal serves: every
path it names answers at that address, and every address of the API is in it."""

from django.urls import get_resolver, resolve, reverse

from open311 import api


def test_the_description_is_served_as_openapi_3(client):
    response = client.get(reverse("open311:openapi"))

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/api/open311/v2"}]


def test_every_described_path_is_an_address_of_the_api_with_its_methods(client):
    document = client.get(reverse("open311:openapi")).json()
    server = document["servers"][0]["url"]

    for path, operations in document["paths"].items():
        url = server + path.replace("{service_request_id}", "140406-20261203-0001")
        match = resolve(url)
        assert match.namespace == "open311", path
        refused = client.options(url)
        assert refused.status_code == 405, path
        assert set(refused["Allow"].split(", ")) == {method.upper() for method in operations}, path


def test_every_address_of_the_api_is_described(client):
    document = client.get(reverse("open311:openapi")).json()
    described = {document["servers"][0]["url"] + path for path in document["paths"]}
    api_views = {
        api.services,
        api.requests_collection,
        api.request_detail,
        api.openapi,
    }
    resolver = get_resolver()
    served = set()
    for name in ("services", "requests", "openapi"):
        served.add(reverse(f"open311:{name}"))
    served.add(
        reverse("open311:request_detail", kwargs={"number": "NUMBER"}).replace(
            "NUMBER", "{service_request_id}"
        )
    )
    assert served == described
    # And nothing else under /api/open311/ is routed: the four views are the API.
    [open311] = [p for p in resolver.url_patterns if getattr(p, "namespace", "") == "open311"]
    routed = {
        entry.callback
        for entry in open311.url_patterns
        if str(entry.pattern).startswith("open311/")
    }
    assert routed == api_views
