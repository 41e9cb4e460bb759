"""Copy the browser libraries installed by npm into service/static/vendor, served by the app (no CDN).

Vendor bundles are patched on the way, each by an exact string (a new version without the string is
copied as it is, and the browser tests' clean-console check then says what changed):
- redoc draws its attribution with a logo from the vendor's CDN, which the CSP blocks (a console error):
  the logo becomes an empty inline SVG;
- dmn-js bundles Inferno's development build, which announces itself with a console message and a
  console error on every load: both calls are dropped;
- the bpmn.io watermark's tooltip is English: it gets a Chinese one (the watermark itself stays).
"""

from __future__ import annotations

import shutil

from service.config import ROOT

# package name -> files (relative to node_modules/<package>) the pages use
ASSETS: dict[str, list[str]] = {
    "axe-core": ["axe.min.js"],
    "bpmn-js": ["dist/bpmn-navigated-viewer.production.min.js", "dist/bpmn-modeler.production.min.js", "dist/assets"],
    "dmn-js": ["dist/dmn-modeler.production.min.js", "dist/dmn-viewer.production.min.js", "dist/assets"],
    "redoc": ["bundles/redoc.standalone.js"],
    "echarts": ["dist/echarts.min.js", "LICENSE"],
}

EMPTY_SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
INFERNO_DEV = [('console.info("Inferno is in development mode."),', ""),  # the message, and the error's guard:
               ('.indexOf("testFn")&&', '.indexOf("testFn")&&!1&&')]
# The bpmn.io watermark stays (its licence asks for it); only its tooltip is said in Chinese.
WATERMARK = [('title="Powered by bpmn.io"', 'title="流程图由开源组件 bpmn.io 绘制"')]
# file (relative to vendor/) -> [(old, new)]
PATCHES: dict[str, list[tuple[str, str]]] = {
    "redoc/bundles/redoc.standalone.js": [('"https://cdn.redoc.ly/redoc/logo-mini.svg"', f'"{EMPTY_SVG}"')],
    "bpmn-js/dist/bpmn-navigated-viewer.production.min.js": WATERMARK,
    "bpmn-js/dist/bpmn-modeler.production.min.js": WATERMARK,
    "dmn-js/dist/dmn-modeler.production.min.js": INFERNO_DEV + WATERMARK,
    "dmn-js/dist/dmn-viewer.production.min.js": INFERNO_DEV + WATERMARK,
}


def _patch(path, replacements: list[tuple[str, str]]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def copy_assets() -> list[str]:
    copied = []
    vendor = ROOT / "service" / "static" / "vendor"
    for package, files in ASSETS.items():
        for rel in files:
            source = ROOT / "node_modules" / package / rel
            target = vendor / package / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copy2(source, target)
            if f"{package}/{rel}" in PATCHES:
                _patch(target, PATCHES[f"{package}/{rel}"])
            copied.append(f"{package}/{rel}")
    return copied


if __name__ == "__main__":
    for name in copy_assets():
        print(name)
