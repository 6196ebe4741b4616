"""The published report: figures from the database and the model registry, drawn as one
self-contained HTML page (inline SVG charts) or printed as JSON.

``figures`` holds the dataclasses, ``compute`` the pure arithmetic and ranking,
``collect`` reads the repositories, ``charts`` draws SVG, ``page`` writes the HTML.
"""
