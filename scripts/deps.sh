#!/usr/bin/env bash
# Installs what certdesk needs on Debian 12, once: Debian packages (apt), checks the Rust and
# Node toolchains, and (for tests) the WebDriver bridge. Safe to run again: it installs only
# what is missing.
#   bash scripts/deps.sh build   # to build and run the product (CLI and desktop app)
#   bash scripts/deps.sh package # additionally what the package holds beside the binaries (the PDF manual)
#   bash scripts/deps.sh test    # additionally what the test suite drives (real tools)
#   bash scripts/deps.sh seal-makers # the build's packages and all the independent seal sheet makers' (B-AD;
#                                     # CI runs only B and C, whose packages `test` installs)
set -euo pipefail
want=${1:-build}

build_pkgs=(build-essential pkg-config ca-certificates libpcsclite-dev libssl-dev libwebkit2gtk-4.1-dev fonts-noto-cjk)
test_pkgs=(tzdata faketime strace dbus-daemon procps python3 python3-openpyxl python3-xlwt poppler-utils librsvg2-bin xdotool zbar-tools fonts-dejavu-core softhsm2 opensc openssl pcscd vsmartcard-vpcd util-linux xvfb xauth webkit2gtk-driver postgresql scep)

# Issue 34's independent seal sheet makers B and C (tests/seal-sheets/: librsvg + poppler, Ghostscript,
# ImageMagick 6, Debian's python3 with numpy, Pillow and fontTools; fonts-noto-cjk above), run by CI's smoke.
seal_sheet_pkgs=(ghostscript imagemagick python3-numpy python3-pil python3-fonttools)
# Issue 76's makers, never run in CI (`deps.sh seal-makers`): D (raster/: GIMP's scanned paper patterns,
# the AR PL 楷体/明体 fonts), E (flatbed/: matplotlib's Agg renderer, SciPy, Krita's scanned paper
# textures, WenQuanYi Zen Hei and the AR PL SungtiL GB / KaitiM GB fonts) and F (sheetfed/: OpenCV,
# MyPaint's scanned paper backgrounds, Droid Sans Fallback and Hanazono Mincho).
# G (camera/: ReportLab PDFs rasterised by MuPDF's `mutool draw`, LibreOffice's photographed paper
# bitmaps from libreoffice-common's standard.sob, BabelStone Han and LXGW WenKai).
# H (phone/: Qt's QPainter raster engine through PyQt5, Sweet Home 3D's textures read from its jar as paper
# grain, formation and desk, WenQuanYi Micro Hei and the CNS 11643 TW-Sung / TW-Kai fonts).
# I (scanapp/: Cairo + Pango through PyGObject (PangoCairo), SciPy, digiKam's scanned paper and desk textures
# from digikam-data, Smiley Sans (得意黑) set upright).
# J (mfpscan/: FreeType's outlines through python3-freetype, filled by the maker's own numpy rasteriser,
# SciPy, the Ume Mincho / Gothic fonts of fonts-horai-umefont; its paper is grown from a fibre model).
# K (wand/: Mesa's software OpenGL through PyOpenGL (OSMesa), SciPy, libjpeg-turbo's cjpeg, scikit-image's
# photographed gravel texture (python3-skimage's data), IPAmj Mincho, BIZ UD Gothic and the Seto handwriting face).
# L (duplex/: pygame's SDL drawing and pygame.freetype (python3-pygame), SciPy, Takao Mincho and VL Gothic;
# its paper is a fractional-Brownian surface model).
# M (copystand/: GraphicsMagick's MVG drawing through `gm convert -draw`, dcraw developing the maker's own DNG,
# SciPy, the cwTeX Ming / Kai / FangSong / HeiBold faces; its paper is a cellular (Worley) flock model).
# N (uvcdesk/: libgd drawing through PHP's gd extension, ffmpeg's MJPEG / H.264 codecs for the camera's video
# stream, SciPy, IPAex Mincho and Gothic; its paper is a Gray–Scott reaction–diffusion floc model).
# O (monitor/: scikit-image's polygon filler (python3-skimage), SciPy, AR PL Mingti2L Big5 and KaitiM Big5;
# its form is a thermal-transfer print, its paper a forming wire's and felt's marks, its ink a thin-film model).
# P (tablet/: POV-Ray ray-traces the faces, the pen and the form's glyphs (povray), netpbm's codecs, SciPy, the Un
# fonts (UnBatang, UnDotum, UnGungseo); its paper is a pulp-sheet drainage model, its capture a tablet's HDR photo).
# Q (teller/: GDAL's polygon rasteriser through python3-gdal, openjpeg's opj_compress / opj_decompress (libopenjp2-tools),
# SciPy, Sawarabi Mincho, Baekmuk Batang / Dotum, Motoya L Cedar and the Kouzan brush faces; its paper is a thermal coat model).
# R (planetary/: VTK's polygon-to-stencil rasteriser through python3-vtk9, djvulibre's c44 / ddjvu (djvulibre-bin), SciPy,
# Nanum Gothic / Nanum Barun Gothic and the Kiloji pen face; its paper is a recycled-pulp model, its capture an overhead planetary scanner).
# S (colorfax/: libvips' CLI (libvips-tools) draws glyphs, rings, frames and star, SciPy, Dejima Mincho and Klee One;
# its form is a risograph-like stencil print, its paper a laid paper model, its capture a colour fax's T.42 CIELAB JPEG).
# T (letterfold/: a Tk canvas shown on Xvfb and read back through X (python3-tk, xvfb), SciPy, IPA Mincho and the Yoz
# handwriting face; its form is an electrostatic plotter's toner, its paper a cotton rag, its capture a letter-folded sheet on a flatbed).
# U (kiosk/: ImageMagick's MagickWand through python3-wand draws fontTools outlines of Oradano Mincho GSRR, Aoyagi Soseki
# and MigMix 1P, libjxl's cjxl / djxl (libjxl-tools), SciPy; its form is screen-printed on coated art paper, its ink a
# Cook–Torrance glossy film, its capture a self-service kiosk's overhead camera archived as JPEG XL).
# V (webcam/: Inkscape's CLI renders an SVG of IPA Gothic outlines read with fontTools, a dye-sublimation form, bond paper,
# a tabulated ink ladder, its capture a 4K USB webcam whose web app rectifies the page and stores HEIC via libheif / x265).
# W (sleeve/: SDL2_gfx's filledPolygonRGBA fills Konatu outlines by winding sign, a pen-plotted form, a band-pass formation
# paper, discrete-ordinates ink, its capture a flatbed scan of the sheet in a clear PVC sleeve archived as AVIF via libavif).
# X (mouse/: G'MIC's CImg polygon filler on M+ outlines, a letterpress form on recycled paper, Williams–Clapper ink,
# its capture a hand-held mouse scanner's stitched strips archived as JPEG XR via libjxr-tools).
# Y (microfilm/: Java2D (OpenJDK 17, Draw.java run as a single-file source) on Monapo outlines, a gravure-printed form,
# block-dye density ink, its capture colour microfilm from a laser film recorder scanned back by a film scanner).
# Z (filmscan/, a second writer from Y's brief: Java2D on Motoya L Maruberi outlines, a gravure-printed form, squared-Lorentzian
# dye ink, its capture a colour negative from a laser film recorder scanned back as DPX through openimageio-tools).
# AA (govector/: Go's own rasteriser golang.org/x/image/vector on BIZ UD Mincho / Yusei Magic outlines, an ion-deposition
# printed form, a Perlin-noise paper, Stokes' pile-of-plates ink, its capture a drum scanner's PMTs and log amplifier, Go's codecs).
# AB (scriptfu/: GIMP 2.10's own rasteriser in batch Script-Fu on Sawarabi Gothic paths, a flexographic form, a Gabor-noise
# paper, Tollenaar–Ernst ink, a laser flying-spot scanner, GIMP's own JPEG / PNG / TIFF savers).
# AC (linescan/: Skia's CPU rasteriser through skia-python (a PyPI wheel, pip-installed below under
# target/seal-makers/py), SciPy, the Fandol Song / Kai / Fang / Hei fonts taken out of texlive-lang-chinese's .deb
# (apt-get download, below) into target/seal-makers/fandol; a magnetographic form, a Poisson shot-noise floc paper,
# Ruckdeschel–Hauser halo ink, a three-CCD line-scan camera over a conveyor).
# AD (bookcradle/: GNU libplot's bitmap driver (plotutils' libplot-dev, a small C front end built with gcc into a
# cache) on Mona / Reggae One outlines, SciPy, pngquant; an electrofax form, a blade-coated paper, Lucas–Washburn ink,
# a V-cradle book scanner with sequential R / G / B flashes).
seal_maker_pkgs=(gimp-data fonts-arphic-ukai fonts-arphic-uming python3-matplotlib python3-scipy krita-data fonts-wqy-zenhei fonts-arphic-gbsn00lp fonts-arphic-gkai00mp python3-opencv mypaint-data fonts-droid-fallback fonts-hanazono
  python3-reportlab mupdf-tools libreoffice-common fonts-babelstone-han fonts-lxgw-wenkai
  python3-pyqt5 sweethome3d fonts-wqy-microhei fonts-cns11643-sung fonts-cns11643-kai
  python3-gi python3-gi-cairo python3-cairo gir1.2-pango-1.0 digikam-data fonts-smiley-sans
  python3-freetype fonts-horai-umefont
  python3-opengl libosmesa6 libjpeg-turbo-progs python3-skimage fonts-ipamj-mincho fonts-morisawa-bizud-gothic fonts-seto
  python3-pygame fonts-takao-mincho fonts-vlgothic
  graphicsmagick dcraw fonts-cwtex-ming fonts-cwtex-kai fonts-cwtex-fs fonts-cwtex-heib
  php8.2-cli php8.2-gd ffmpeg fonts-ipaexfont-mincho fonts-ipaexfont-gothic
  fonts-arphic-bsmi00lp fonts-arphic-bkai00mp
  povray netpbm fonts-unfonts-core
  python3-gdal libopenjp2-tools fonts-sawarabi-mincho fonts-baekmuk fonts-motoya-l-cedar fonts-kouzan-mouhitsu
  python3-vtk9 djvulibre-bin fonts-nanum fonts-kiloji
  # S (colorfax): libvips' CLI draws, Dejima Mincho and Klee One faces
  libvips-tools fonts-dejima-mincho fonts-klee
  # T (letterfold): a Tk canvas on Xvfb draws (Xft glyphs), IPA Mincho and the Yoz handwriting faces
  python3-tk xvfb fonts-ipafont-mincho fonts-yozvox-yozfont
  # U (kiosk): ImageMagick's MagickWand draws (python3-wand), libjxl's cjxl / djxl, Oradano Mincho, Aoyagi Soseki, MigMix
  python3-wand libjxl-tools fonts-oradano-mincho-gsrr fonts-aoyagi-soseki fonts-migmix
  # V (webcam): Inkscape's CLI renders the SVG, libheif's heif-enc / heif-convert (x265), IPA Gothic
  inkscape libheif-examples fonts-ipafont-gothic
  # W (sleeve): SDL2_gfx's polygon filler through PySDL2 / ctypes, libavif's avifenc / avifdec (libaom), Konatu
  python3-sdl2 libsdl2-gfx-1.0-0 libavif-bin fonts-konatu
  # X (mouse): G'MIC (CImg's polygon filler), libjxr-tools' JxrEncApp / JxrDecApp, M+ (fonts-mplus)
  gmic libjxr-tools fonts-mplus
  # Y (microfilm): Java2D (the JDK runs Draw.java from source), Monapo (fonts-monapo)
  openjdk-17-jdk-headless fonts-monapo
  # Z (filmscan): Java2D (Draw.java), OpenImageIO's oiiotool (DPX), Motoya L Maruberi
  openimageio-tools fonts-motoya-l-maruberi
  # AA (govector): Go and golang.org/x/image from Debian (built offline), BIZ UD Mincho, Yusei Magic
  golang-go golang-golang-x-image-dev fonts-morisawa-bizud-mincho fonts-yusei-magic
  # AB (scriptfu): GIMP 2.10's rasteriser and savers driven by Script-Fu (gimp-console-2.10), Sawarabi Gothic
  gimp fonts-sawarabi-gothic
  # AC (linescan): pip for skia-python (installed under target/ below); the Fandol fonts come from a downloaded .deb
  python3-pip
  # AD (bookcradle): libplot (plotutils) and gcc for its front end, Mona and Reggae One, pngquant for the archive's PNGs
  gcc libplot-dev plotutils fonts-mona fonts-reggae pngquant)

# the printed manual (docs/manual/pdf.mjs, #77): WeasyPrint typesets the built site's pages
package_pkgs=(weasyprint)

pkgs=("${build_pkgs[@]}")
[ "$want" = package ] && pkgs+=("${package_pkgs[@]}")
[ "$want" = test ] && pkgs+=("${package_pkgs[@]}" "${test_pkgs[@]}" "${seal_sheet_pkgs[@]}")
[ "$want" = seal-makers ] && pkgs+=("${seal_sheet_pkgs[@]}" "${seal_maker_pkgs[@]}" librsvg2-bin poppler-utils python3)
case "$want" in build|package|test|seal-makers) ;; *) echo "deps.sh: want build, package, test or seal-makers" >&2; exit 2 ;; esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "certdesk: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# AC (linescan): skia-python from PyPI and the Fandol fonts out of texlive-lang-chinese's .deb (not installed: its
# dependencies are all of TeX Live), both under target/seal-makers/; only what is missing is fetched.
if [ "$want" = seal-makers ]; then
  root=$(cd "$(dirname "$0")/.." && pwd)
  sm="$root/target/seal-makers"
  if ! PYTHONPATH="$sm/py" /usr/bin/python3 -c 'import skia' >/dev/null 2>&1; then
    echo "certdesk: installing skia-python 144.1 into $sm/py (maker AC)" >&2
    /usr/bin/python3 -m pip install --quiet --no-deps --target "$sm/py" skia-python==144.1
  fi
  if [ ! -f "$sm/fandol/FandolKai-Regular.otf" ]; then
    echo "certdesk: taking the Fandol fonts out of texlive-lang-chinese's .deb into $sm/fandol (maker AC)" >&2
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download texlive-lang-chinese >/dev/null 2>&1 && dpkg-deb -x texlive-lang-chinese_*.deb x)
    mkdir -p "$sm/fandol"
    cp "$tmp"/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol{Song-Regular,Song-Bold,Kai-Regular,Fang-Regular,Hei-Regular}.otf "$sm/fandol/"
    rm -rf "$tmp"
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "certdesk: no Rust toolchain found; install Rust 1.89 or newer with rustup (https://rustup.rs) and run again" >&2
  exit 1
fi
if [ "$want" = test ]; then
  for tool in clippy rustfmt; do
    sub=$([ $tool = clippy ] && echo clippy || echo fmt)
    if ! cargo "$sub" --version >/dev/null 2>&1; then
      echo "certdesk: the tests lint with cargo $sub: adding the $tool component" >&2
      rustup component add "$tool" || { echo "certdesk: install the $tool component of your Rust toolchain and run again" >&2; exit 1; }
    fi
  done
fi
if ! command -v node >/dev/null 2>&1 || [ "$(node -e 'console.log(process.versions.node.split(".")[0])')" -lt 20 ]; then
  echo "certdesk: the UI build needs Node.js 20 or newer (with npm); install it and run again" >&2
  exit 1
fi

if [ "$want" = test ] && ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "certdesk: installing tauri-driver 2.1.0 (WebDriver bridge for the end-to-end tests)" >&2
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
