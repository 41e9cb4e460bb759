"""Copy the browser libraries installed by npm into service/static/vendor, served by the app (no CDN)."""

from __future__ import annotations

import shutil

from service.config import ROOT

# package name -> files (relative to node_modules/<package>) the pages use
ASSETS: dict[str, list[str]] = {
    "bpmn-js": ["dist/bpmn-navigated-viewer.production.min.js", "dist/bpmn-modeler.production.min.js", "dist/assets"],
    "dmn-js": ["dist/dmn-modeler.production.min.js", "dist/dmn-viewer.production.min.js", "dist/assets"],
    "redoc": ["bundles/redoc.standalone.js"],
    "echarts": ["dist/echarts.min.js", "LICENSE"],
}


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
            copied.append(f"{package}/{rel}")
    return copied


if __name__ == "__main__":
    for name in copy_assets():
        print(name)
