#!/usr/bin/python3
"""Assembles artifacts/site from HTML exports of the executed notebooks, the pipeline report and the Markdown docs.

    site_build.py --site DIR --notebook-html DIR --report DIR [--plotly-dll PATH]

Every page loads plotly.js from the one shared copy, assets/plotly.min.js (by relative path, so the site opens
from file:// with no network): the copies that the pages inline (Figures.PlotlyScriptTag) are cut out, and the
nbconvert links to require.js and MathJax (absent offline, and unused: no notebook has math) are dropped.
Markdown is rendered with Debian's python3-markdown; links between rendered files point at their pages, links to
images are copied in, and links to other repository files point back into the repository (the site sits in
artifacts/site, so they work when the site is opened in place). Stdlib and Debian packages only.
"""
import argparse
import html
import os
import re
import shutil
import struct
import sys

import markdown

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The Markdown files rendered as pages, besides docs/*.md (repository paths).
TOP_LEVEL_DOCS = ["README.md", "environment.md", "data/models/MODEL.md", "notebooks/README.md"]
PLOTLY_ASSET = "assets/plotly.min.js"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
# Figures.PlotlyScriptTag: plotly.js inlined with AMD/CommonJS hidden.
INLINE_PLOTLY = re.compile(
    r'<script type="text/javascript">if \(!window\.Plotly\) \{ \(function \(define, module, exports\) \{\n'
    r'(.*?)\n\}\)\.call\(window\); \}</script>', re.S)
# Any other way plotly.js could reach a page: a CDN tag or another inline bundle.
OTHER_PLOTLY = re.compile(r'<script[^>]*src="[^"]*plotly[^"]*"[^>]*>\s*</script>|<script[^>]*>\s*/\*\*\s*\* plotly\.js v.*?</script>', re.S)
# nbconvert's links to require.js and MathJax (Debian points them at /usr/share/javascript, others at a CDN).
NBCONVERT_EXTERNAL = re.compile(r'<script src="[^"]*(?:require(?:\.min)?\.js|MathJax\.js)[^"]*">\s*</script>')
BANNER = re.compile(rb"/\*\*\s*\* plotly\.js v([0-9][0-9A-Za-z.\-]*)")

# The bar of links on top of every page (also added to the notebook and report pages, which keep their own style).
NAV_STYLE = """nav.postrvq-site-nav { font: 14px system-ui, sans-serif; padding: .4rem 1rem; background: #f3f4f6; border-bottom: 1px solid #ddd; }
nav.postrvq-site-nav a { margin-right: 1rem; }
"""
STYLE = NAV_STYLE + """body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 0 1rem 3rem; line-height: 1.5; }
pre, code { background: #f6f8fa; font-size: 90%; } pre { padding: .6rem; overflow-x: auto; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; }
img { max-width: 100%; }
td.notebook { white-space: nowrap; }
"""


def plotly_from_dll(dll_path):
    """The plotly.js that Plotly.NET embeds as a manifest resource (stored uncompressed, after its int32 length)."""
    data = open(dll_path, "rb").read()
    names = re.findall(rb"Plotly\.NET\.plotly-([0-9][0-9A-Za-z.\-]*)\.min\.js", data)
    at = data.find(b"/**\n* plotly.js v")
    if not names or at < 4:
        sys.exit(f"FAIL {dll_path}: no embedded plotly.js found")
    length = struct.unpack("<I", data[at - 4:at])[0]
    bundle = data[at:at + length]
    version = BANNER.match(bundle).group(1).decode()
    if version != names[0].decode():
        sys.exit(f"FAIL {dll_path}: its resource is named plotly-{names[0].decode()} but holds plotly.js v{version}")
    return bundle.decode("utf-8")


def relative(from_page, to_path):
    """A URL from one site page to another site path (both relative to the site root)."""
    return os.path.relpath(to_path, os.path.dirname(from_page) or ".").replace(os.sep, "/")


class Site:
    def __init__(self, root, plotly_js):
        self.root = root
        self.plotly_js = plotly_js
        self.pages = []  # (site path, title, kind)

    def write(self, site_path, text):
        path = os.path.join(self.root, site_path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def nav(self, site_path):
        return (f'<nav class="postrvq-site-nav"><a href="{relative(site_path, "index.html")}">PostRvq docs</a>'
                f'<a href="{relative(site_path, "report/index.html")}">pipeline report</a>'
                f'<a href="{relative(site_path, "README.html")}">README</a></nav>\n')

    def share_plotly(self, site_path, page):
        """Cuts every inlined plotly.js out of the page and loads the shared copy once, in <head>."""
        inlined = INLINE_PLOTLY.findall(page)
        for bundle in inlined:
            if bundle != self.plotly_js:
                sys.exit(f"FAIL {site_path}: it inlines a plotly.js other than the one Plotly.NET embeds; rebuild it")
        page = INLINE_PLOTLY.sub("", page)
        page, others = OTHER_PLOTLY.subn("", page)
        page = NBCONVERT_EXTERNAL.sub("", page)
        if inlined or others or 'class="postrvq-plotly"' in page:
            tag = f'<script src="{relative(site_path, PLOTLY_ASSET)}"></script>'
            page = re.sub(r"<head[^>]*>", lambda m: m.group(0) + "\n" + tag, page, count=1)
        return page

    def add_html(self, site_path, page, title, kind):
        page = self.share_plotly(site_path, page)
        page = re.sub(r"</head>", lambda m: "<style>\n" + NAV_STYLE + "</style>\n" + m.group(0), page, count=1)
        page = re.sub(r"<body[^>]*>", lambda m: m.group(0) + "\n" + self.nav(site_path), page, count=1)
        self.write(site_path, page)
        self.pages.append((site_path, title, kind))

    def shell(self, site_path, title, body):
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<title>{html.escape(title)}</title>\n<link rel=\"stylesheet\" href=\"{relative(site_path, 'assets/site.css')}\">\n"
                f"</head>\n<body>\n{self.nav(site_path)}<main>\n{body}\n</main>\n</body>\n</html>\n")


def github_slug(value, separator):
    """Heading ids as GitHub makes them, so that README-style #anchors keep working."""
    value = re.sub(r"[^\w\- ]", "", value.strip().lower())
    return value.replace(" ", separator)


def render_markdown(text):
    return markdown.markdown(text, extensions=["extra", "sane_lists", "toc"],
                             extension_configs={"toc": {"slugify": github_slug}})


def page_of(repo_path):
    """The site page of a rendered repository file, or None."""
    if repo_path.endswith(".md"):
        return repo_path[:-3] + ".html"
    if repo_path.startswith("notebooks/") and repo_path.endswith(".ipynb"):
        return repo_path[:-6] + ".html"
    return None


def rewrite_links(site, site_path, source_repo_path, body, rendered):
    """Points relative href/src at the site's pages, copied images, or the repository file."""
    def fix(match):
        attribute, url = match.group(1), html.unescape(match.group(2))
        if re.match(r"^[a-z][a-z0-9+.\-]*:|^#|^/", url, re.I):
            return match.group(0)
        path, _, fragment = url.partition("#")
        target = os.path.normpath(os.path.join(os.path.dirname(source_repo_path), path)).replace(os.sep, "/")
        page = page_of(target)
        if page and target in rendered:
            new = relative(site_path, page)
        elif target.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(REPO, target)):
            destination = os.path.join(site.root, target)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copyfile(os.path.join(REPO, target), destination)
            new = relative(site_path, target)
        else:
            new = os.path.relpath(os.path.join(REPO, target), os.path.dirname(os.path.join(site.root, site_path)))
            if path.endswith("/"):
                new += "/"
        if fragment:
            new += "#" + fragment
        return f'{attribute}="{html.escape(new, quote=True)}"'
    return re.sub(r'\b(href|src)="([^"]*)"', fix, body)


def notebook_table():
    """notebooks/README.md's table: notebook file name -> what it teaches (Markdown)."""
    lines = {}
    for line in open(os.path.join(REPO, "notebooks/README.md"), encoding="utf-8"):
        match = re.match(r"^\|\s*`([^`]+\.ipynb)`\s*\|\s*(.*?)\s*\|\s*$", line)
        if match:
            lines[match.group(1)] = match.group(2)
    return lines


def inline_markdown(text):
    return re.sub(r"^<p>|</p>$", "", render_markdown(text).strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True)
    parser.add_argument("--notebook-html", required=True, help="folder of nbconvert HTML exports (NAME.html)")
    parser.add_argument("--report", required=True, help="the pipeline's report folder (index.html and its files)")
    parser.add_argument("--plotly-dll", help="Plotly.NET.dll whose embedded plotly.js becomes the shared copy")
    args = parser.parse_args()

    if os.path.exists(args.site):
        shutil.rmtree(args.site)
    os.makedirs(os.path.join(args.site, "assets"))
    if args.plotly_dll:
        plotly_js = plotly_from_dll(args.plotly_dll)
    else:  # the copy the report inlines, which is the one Plotly.NET embeds
        found = INLINE_PLOTLY.search(open(os.path.join(args.report, "index.html"), encoding="utf-8").read())
        if not found:
            sys.exit("FAIL no Plotly.NET.dll given and the report inlines no plotly.js")
        plotly_js = found.group(1)
    site = Site(args.site, plotly_js)
    site.write(PLOTLY_ASSET, plotly_js)
    site.write("assets/site.css", STYLE)
    version = BANNER.match(plotly_js.encode()).group(1).decode()

    exports = sorted(f for f in os.listdir(args.notebook_html) if f.endswith(".html"))
    if not exports:
        sys.exit(f"FAIL {args.notebook_html}: no notebook exports")
    for name in exports:
        page = open(os.path.join(args.notebook_html, name), encoding="utf-8").read()
        site.add_html("notebooks/" + name, page, name[:-5], "notebook")

    report_page = open(os.path.join(args.report, "index.html"), encoding="utf-8").read()
    site.add_html("report/index.html", report_page, "Pipeline report", "report")
    # results.csv, tables.tex and, when the pipeline exported them, the static figures/*.svg and *.png.
    shutil.copytree(args.report, os.path.join(args.site, "report"), dirs_exist_ok=True,
                    ignore=lambda folder, names: ["index.html"] if os.path.samefile(folder, args.report) else [])

    docs = TOP_LEVEL_DOCS + sorted("docs/" + f for f in os.listdir(os.path.join(REPO, "docs")) if f.endswith(".md"))
    docs = [d for d in docs if os.path.isfile(os.path.join(REPO, d))]
    rendered = set(docs) | {"notebooks/" + n[:-5] + ".ipynb" for n in exports}
    for doc in docs:
        text = open(os.path.join(REPO, doc), encoding="utf-8").read()
        title = next((l.lstrip("# ").strip() for l in text.splitlines() if l.startswith("# ")), doc)
        site_path = page_of(doc)
        body = rewrite_links(site, site_path, doc, render_markdown(text), rendered)
        site.write(site_path, site.shell(site_path, title, body))
        site.pages.append((site_path, f"{title} ({doc})", "doc"))

    teaches = notebook_table()
    items = []
    for path, title, kind in site.pages:
        if kind == "notebook":
            line = teaches.get(title + ".ipynb", "")
            items.append(f'<tr><td class="notebook"><a href="{path}">{html.escape(title)}</a></td><td>{inline_markdown(line) if line else ""}</td></tr>')
    docs_list = "\n".join(f'<li><a href="{p}">{html.escape(t)}</a></li>' for p, t, k in site.pages if k == "doc")
    body = ("<h1>PostRvq: notebooks, report and docs</h1>\n"
            "<p>Everything here opens offline. The notebooks were executed by <code>scripts/run-notebooks</code>; "
            f"charts are drawn by one shared plotly.js (v{html.escape(version)}, the copy Plotly.NET embeds).</p>\n"
            "<h2>Notebooks</h2>\n<table>\n<thead><tr><th>notebook</th><th>teaches</th></tr></thead>\n<tbody>\n"
            + "\n".join(items) + "\n</tbody>\n</table>\n"
            "<h2>Pipeline report</h2>\n<p><a href=\"report/index.html\">The report of <code>postrvq pipeline</code></a> "
            "on the committed samples: listening examples, rate–distortion charts and comparison tables.</p>\n"
            f"<h2>Documents</h2>\n<ul>\n{docs_list}\n</ul>\n")
    site.write("index.html", site.shell("index.html", "PostRvq docs", body))
    print(f"   {len(site.pages) + 1} pages in {args.site} (plotly.js v{version} once, in {PLOTLY_ASSET})")


if __name__ == "__main__":
    main()
