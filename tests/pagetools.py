"""Reading served HTML pages in tests: a page as a tree, and the texts an XPath finds in it."""

from __future__ import annotations

import lxml.html
from flask.testing import FlaskClient

Html = lxml.html.HtmlElement


def page(client: FlaskClient, path: str) -> Html:
    """The HTML page at path, which must answer 200."""
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "text/html"
    return lxml.html.fromstring(response.data)


def texts(tree: Html, xpath: str) -> list[str]:
    return [element.text_content().strip() for element in tree.xpath(xpath)]
