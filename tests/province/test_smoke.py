def test_pages_render(client, generated, login_as):
    login_as(generated.world.a.admin)
    for url in ["/province/", "/province/reporting", "/province/inspect", "/province/gaps",
                "/province/enterprises", "/province/areas", "/province/imports",
                "/province/checklists", "/province/map.json",
                f"/province/enterprises/{generated.enterprises[0]}"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[-3000:])
