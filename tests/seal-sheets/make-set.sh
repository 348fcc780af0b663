#!/usr/bin/env bash
# Makes a set of independent seal sheets with their truth (truth.md):
#   make-set.sh MAKER SPLIT N OUTDIR
# MAKER: print (B: SVG → librsvg PDF → poppler, numpy/Pillow scanner), outline (C: fontTools
# outlines → PostScript → Ghostscript, ImageMagick scanner) or raster (D, issue 76: Pillow
# ImageDraw/FreeType straight into pixels, GIMP's scanned paper textures, laser toner and
# colour-copy halftones, Beer–Lambert ink, a CIS line-scanner model) or flatbed (E, issue 76:
# matplotlib's Agg renderer with WenQuanYi / AR PL SungtiL GB / KaitiM GB outlines, an inkjet-printed
# form, Krita's scanned paper textures, Kubelka–Munk ink, a CCD flatbed with a three-line sensor) or sheetfed (F, issue 76:
# OpenCV polygon fills of self-flattened Droid Sans Fallback / Hanazono Mincho outlines, distance-field
# emboldening, an offset-printed form, MyPaint's paper grain, Yule–Nielsen / Demichel ink wicked along the
# fibres, a copier's sheet feeder over a three-line CCD, OpenCV's codecs) or camera (G, issue 76: ReportLab PDFs of
# BabelStone Han / LXGW WenKai outlines rasterised by MuPDF, an FM-screened laser form photocopied, LibreOffice's
# photographed paper, spectral ink under an LED, a document camera's Bayer CMOS and its software) or phone (H, issue 76:
# Qt's QPainter raster engine with WenQuanYi Micro Hei / TW-Sung / TW-Kai outlines, a stencil duplicator's form,
# Sweet Home 3D's textures as paper and desk, cinnabar paste with gloss, a handheld phone photo sent through a
# chat app) or scanapp (I, issue 76: Cairo + Pango (PangoCairo) with Smiley Sans outlines set upright, digiKam's
# scanned paper textures, Clapper–Yule ink layers, a phone photo under room light flattened, enhanced and exported
# by a phone scanning app) or mfpscan (J, issue 76: FreeType outlines of the Ume fonts filled by its own numpy
# scanline rasteriser, a laser-printed form with the drum's ghost, paper from a fibre deposition model,
# Murray–Davies ink with a dot-area curve, an office MFP's platen scan sent by e-mail, to a folder or as a
# compact MRC PDF the counter exports) or wand (K, issue 76: IPAmj Mincho / BIZ UD Gothic / Seto outlines filled
# by Mesa's software OpenGL (OSMesa) with stencil-then-cover and jittered passes, a form printed by a 24-pin
# dot-matrix printer, scikit-image's photographed gravel as paper grain, CIELAB tint-ladder inks, a handheld
# wand scanner whose encoder roller, turning hand and strobed LEDs set the geometry) or duplex (L, issue 76:
# pygame (SDL) drawing with its own polygon and circle fillers and pygame.freetype glyphs of Takao Mincho / VL Gothic,
# a form received on a plain-paper fax, paper as a fractional-Brownian surface under the lamp, ink seen through
# the paper's lateral light scattering, a high-speed duplex document scanner whose driver deskews and crops) or
# copystand (M, issue 76: GraphicsMagick's MVG drawing (`gm convert -draw`) with the cwTeX Ming / Kai / FangSong /
# HeiBold faces, a form printed by a solid-ink (wax) printer, paper from a cellular (Worley) flock model, ink from a
# Monte Carlo photon walk through the film, a camera on a copy stand whose raw file (DNG) dcraw develops, the
# operator's crop and resize by GraphicsMagick) or uvcdesk (N, issue 76: libgd (php-gd) drawing with IPAex Mincho / Gothic,
# a form printed by an LED printer, paper from a Gray–Scott reaction–diffusion floc model, four-flux (adding-doubling)
# ink, a frame of a UVC document camera's MJPEG or H.264 video stream through ffmpeg, rectified by the capture
# software) or monitor (O, issue 76: scikit-image's polygon filler on fontTools outlines of AR PL Mingti2L / KaitiM Big5,
# a form printed by a thermal-transfer (wax ribbon) printer, paper from a forming wire's and felt's marks, a thin-film
# (Abelès characteristic matrix) ink, a phone photo of the clerk's LCD showing the scan, with its subpixel moiré) or
# tablet (P, issue 76: POV-Ray ray-tracing UnBatang / UnDotum / UnGungseo text objects, CSG rings and sphere-swept
# pen strokes, nmgca-procurement's 附件二 printed by a liquid-electrophotography digital press, paper from a pulp-sheet
# drainage model, Neugebauer-primary ink, a counter tablet's three bracketed frames merged to HDR and tone-mapped,
# cropped by its app, netpbm's codecs) or teller (Q, issue 76: GDAL's polygon rasteriser (OGR polygons burnt by
# winding sign) on Sawarabi Mincho / Baekmuk / Motoya L Cedar / Kouzan brush outlines, netca-ln-procurement's
# seal-application printed by a direct-thermal A4 printer on coated thermal paper, Hapke particulate-layer ink, a bank
# teller's sheet-fed document scanner that archives JPEG 2000 through openjpeg) or planetary (R, issue 76: VTK's
# polygon-to-stencil rasteriser (vtkPolyDataToImageStencil, contours summed by winding sign) on Nanum Gothic / Nanum
# Barun Gothic hanja and the Kiloji pen face, bjca-nmg's 采样表 in two 87-mm columns received as the CF ply of a
# carbonless set hit by a band printer, a recycled-pulp paper model, pigment-flake sedimentation ink, an overhead
# planetary line-scan scanner whose software archives DjVu through djvulibre's c44 / ddjvu) or colorfax (S, issue 76:
# libvips drawing (`vips text` glyphs of Dejima Mincho and Klee One, `draw_circle` / `draw_rect` / `draw_line` /
# `draw_flood` rings, frames and star, reduced by `vips shrink`), snca-nmg's 附件3 printed by a risograph-like stencil
# printer, a laid paper model, dye diffusing into the fibres seen as an Oren–Nayar rough surface, a colour fax
# (ITU-T T.42 CIELAB JPEG) received by the counter's fax server and exported) or letterfold (T, issue 76: a Tk
# canvas on an X server (Xvfb; the server's polygon, wide-line and arc fillers, Xft glyphs of IPA Mincho and the Yoz
# handwriting face), netca-gd-procurement's application with collection rows, an electrostatic plotter's toner nibs,
# a cotton rag paper's long fibres, two-constant Kubelka–Munk ink with Saunderson's correction, a letter-folded sheet
# on a flatbed with the lid raised (the creases lift off the glass), archived as WebP and exported) or kiosk (U, issue 76:
# ImageMagick's MagickWand (python3-wand's DrawingWand: Bézier paths of Oradano Mincho GSRR / Aoyagi Soseki / MigMix
# outlines read with fontTools, circles, polygons), cfca-xs's 签章采集表 screen-printed on coated art paper, Cook–Torrance
# glossy ink under an LED hood, a self-service kiosk's overhead 12-MP camera whose software undistorts and rectifies the
# page, archived as JPEG XL through cjxl / djxl and exported) or webcam (V, issue 76: an SVG of IPA Gothic outlines
# (fontTools) and the seals' rings, frames and stars rendered by Inkscape's CLI, a dye-sublimation printed form,
# a bond paper (cockle and watermark), a tabulated ink ladder, a 4K USB webcam on the counter's laptop whose web app
# rectifies the page and stores HEIC through libheif / x265, exported) or sleeve (W, issue 76: SDL2_gfx's polygon
# filler (filledPolygonRGBA on an SDL2 software renderer through ctypes) on Konatu outlines summed by winding sign,
# bjca-nmg's 采样表 in two 87-mm columns drawn by a pen plotter, a band-pass formation paper with calender blackening,
# discrete-ordinates ink by invariant imbedding, the sheet in a clear PVC sleeve on a flatbed, archived as AVIF
# through avifenc / avifdec (libaom), exported) or mouse (X, issue 76: G'MIC's polygon filler (CImg, a generated
# .gmic command file) on M+ outlines chained into even-odd keyhole polygons, snca-nmg's seal-collection 采集表 printed by
# letterpress (squash, kiss halo, slur), a recycled paper (de-inked specks, fibre fragments, cloudy formation), a
# Williams–Clapper ink, a hand-held mouse scanner stitching swept strips, archived as JPEG XR through JxrEncApp /
# JxrDecApp, exported) or microfilm (Y, issue 76: Java2D (Graphics2D, Marlin, Draw.java) on Monapo glyph outlines,
# snca-nmg-like 采集表 printed by gravure (engraved cells), an office paper with a two-scale formation, block-dye
# density ink with unwanted absorptions, the sheet archived to colour microfilm by a laser film recorder and scanned
# back by a film scanner (characteristic curve, dye-cloud grain), exported) or filmscan (Z, issue 76, a second
# writer from Y's brief: Java2D on Motoya L Maruberi outlines, a 3x3 collection table printed by gravure, a felted-fibre paper,
# a squared-Lorentzian three-band dye ink, a colour negative by a laser film recorder scanned back through DPX
# and oiiotool, exported) or govector (AA, issue 76: Go's own rasteriser, golang.org/x/image/vector, on BIZ UD Mincho and
# Yusei Magic outlines read with x/image/font/sfnt, nmgca-procurement's 附件二 printed by an ion-deposition printer,
# a Perlin-noise paper with a brightener, Stokes' pile-of-plates ink, a drum scanner's photomultipliers and log
# amplifier, Go's image/jpeg or image/png) or scriptfu (AB, issue 76: GIMP 2.10's own rasteriser driven by Script-Fu in
# batch mode (text turned into paths, selections filled and subtracted) with Sawarabi Gothic, netca-ln-procurement's
# seal-application printed by flexography, a sparse Gabor-noise paper, Tollenaar–Ernst ink, a laser flying-spot
# scanner (polygon mirror, photodiode and transimpedance amplifier), GIMP's own JPEG / PNG / TIFF savers) or linescan (AC,
# issue 76: Skia's CPU rasteriser (skia-python) filling Fandol Song / Kai / Fang / Hei outlines, rings, frames and
# strokes, the 附件3 采集表 printed by a magnetographic printer, a Poisson shot-noise floc paper, Ruckdeschel–Hauser halo
# ink, a mail room's conveyor under a three-CCD (prism) colour line-scan camera, Skia's JPEG / PNG encoders or the
# line's own TIFF writer) or bookcradle (AD,
# issue 76: GNU libplot's bitmap driver (libxmi's aliased scan conversion, supersampled) filling Mona / Reggae One outlines,
# rings and pen strokes through a small C front end, nmgca-procurement's 单位申请表（个人） with seal rows copied on an
# electrofax (zinc-oxide paper, liquid toner, edge development), a blade-coated paper levelled like a wet film,
# Lucas–Washburn imbibition ink with an oil halo, the sheet filed in a ring binder and captured on a V-cradle book
# scanner (gutter curl, punch holes, a monochrome sensor under sequential R / G / B flashes), JPEG, a pngquant palette
# PNG or TIFF). SPLIT: dev (for looking at while
# writing measures), dev2 (a second look, to check a pattern seen on dev before a rule is kept),
# dev3 (a third, made when the first two had been looked at for many rounds), dev4 (a larger
# fourth, for errors too rare to show in 80 sheets), dev5 (a fifth, to check on what was fitted on the
# first four), dev6 (a sixth, to check on what was fitted on the first five), dev7 (a seventh, likewise on the
# first six), dev8 (an eighth, first scored by v13.9 and v14 side by side), dev9 (a ninth, first
# scored by v14 and v14.1 side by side), heldout (made only by the benchmark),
# heldout2 (a second held-out set, made once after a change whose first held-out errors were
# already known: its figures are the unseen ones), smoke (CI's few sheets) or fixtures
# (the sheets committed under tests/fixtures/seal/independent/, at
# 150 dpi); each has its own seeds. A set is reused while the makers' files are unchanged (inputs.sha256).
# Runs on Debian's python3 with python3-numpy, python3-pil, python3-fonttools (scripts/deps.sh);
# raster and flatbed also on what `bash scripts/deps.sh seal-makers` installs (raster: gimp-data's
# patterns, fonts-arphic-ukai / -uming; flatbed: python3-matplotlib, python3-scipy, krita-data's paper
# textures, fonts-wqy-zenhei, fonts-arphic-gbsn00lp / -gkai00mp; sheetfed: python3-opencv, mypaint-data's
# paper backgrounds, fonts-droid-fallback, fonts-hanazono; camera: python3-reportlab, mupdf-tools,
# libreoffice-common's bitmaps, fonts-babelstone-han, fonts-lxgw-wenkai, python3-scipy; phone: python3-pyqt5,
# python3-scipy, sweethome3d's textures, fonts-wqy-microhei, fonts-cns11643-sung, fonts-cns11643-kai; scanapp:
# python3-gi-cairo, python3-cairo, gir1.2-pango-1.0, python3-scipy, digikam-data's textures, fonts-smiley-sans;
# mfpscan: python3-freetype, python3-scipy, fonts-horai-umefont; wand: python3-opengl, libosmesa6, python3-scipy,
# libjpeg-turbo-progs, python3-skimage's data, fonts-ipamj-mincho, fonts-morisawa-bizud-gothic, fonts-seto;
# duplex: python3-pygame, python3-scipy, fonts-takao-mincho, fonts-vlgothic; copystand: graphicsmagick, dcraw,
# python3-scipy, fonts-cwtex-ming, fonts-cwtex-kai, fonts-cwtex-fs, fonts-cwtex-heib; uvcdesk: php8.2-cli, php8.2-gd,
# ffmpeg, python3-scipy, fonts-ipaexfont-mincho, fonts-ipaexfont-gothic; monitor:
# python3-skimage, python3-scipy, fonts-arphic-bsmi00lp, fonts-arphic-bkai00mp; tablet: povray, netpbm,
# python3-scipy, fonts-unfonts-core; teller: python3-gdal, libopenjp2-tools, python3-scipy, fonts-sawarabi-mincho,
# fonts-baekmuk, fonts-motoya-l-cedar, fonts-kouzan-mouhitsu; planetary: python3-vtk9, djvulibre-bin, python3-scipy,
# fonts-nanum, fonts-kiloji; colorfax: libvips-tools, python3-scipy, fonts-dejima-mincho, fonts-klee;
# letterfold: python3-tk, xvfb, python3-scipy, fonts-ipafont-mincho, fonts-yozvox-yozfont; kiosk: python3-wand,
# libjxl-tools, python3-scipy, fonts-oradano-mincho-gsrr, fonts-aoyagi-soseki, fonts-migmix;
# webcam: inkscape, libheif-examples, python3-scipy, fonts-ipafont-gothic; sleeve: python3-sdl2, libsdl2-gfx-1.0-0,
# libavif-bin, python3-scipy, fonts-konatu; mouse: gmic, libjxr-tools, python3-scipy, fonts-mplus; microfilm: openjdk-17-jdk-headless,
# python3-scipy, fonts-monapo; filmscan: openjdk-17-jdk-headless, openimageio-tools, python3-scipy,
# fonts-motoya-l-maruberi; govector: golang-go, golang-golang-x-image-dev, python3-scipy,
# fonts-morisawa-bizud-mincho, fonts-yusei-magic; scriptfu: gimp, python3-scipy, fonts-sawarabi-gothic; linescan:
# python3-pip, python3-scipy, skia-python 144.1 from PyPI under target/seal-makers/py, the Fandol fonts taken from
# texlive-lang-chinese's .deb into target/seal-makers/fandol; bookcradle: gcc, libplot-dev, plotutils, python3-scipy,
# fonts-mona, fonts-reggae, pngquant).
set -euo pipefail
maker=$1 split=$2 n=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
case "$maker" in print|outline|raster|flatbed|sheetfed|camera|phone|scanapp|mfpscan|wand|duplex|copystand|uvcdesk|monitor|tablet|teller|planetary|colorfax|letterfold|kiosk|webcam|sleeve|mouse|microfilm|filmscan|govector|scriptfu|linescan|bookcradle) ;; *) echo "make-set.sh: maker is print, outline, raster, flatbed, sheetfed, camera, phone, scanapp, mfpscan, wand, duplex, copystand, uvcdesk, monitor, tablet, teller, planetary, colorfax, letterfold, kiosk, webcam, sleeve, mouse, microfilm, filmscan, govector, scriptfu, linescan or bookcradle" >&2; exit 2 ;; esac
case "$split" in
  dev) base=1000 ;;
  dev2) base=2000 ;;
  dev3) base=3000 ;;
  dev4) base=4000 ;;
  dev5) base=5000 ;;
  dev6) base=6000 ;;
  dev7) base=7000 ;;
  dev8) base=8000 ;;
  dev9) base=9000 ;;
  heldout) base=900000 ;;
  heldout2) base=950000 ;;
  smoke) base=5000000 ;;
  fixtures) base=7000000; export SEAL_SHEET_DPI=150 ;;
  *) echo "make-set.sh: split is dev, dev2, dev3, dev4, dev5, dev6, dev7, dev8, dev9, heldout, heldout2, smoke or fixtures" >&2; exit 2 ;;
esac
[ "$maker" = outline ] && base=$((base + 70000))
# D (raster) has seeds of its own: each split's base + 140000.
[ "$maker" = raster ] && base=$((base + 140000))
# E (flatbed) likewise: each split's base + 210000.
[ "$maker" = flatbed ] && base=$((base + 210000))
# F (sheetfed) likewise: each split's base + 280000.
[ "$maker" = sheetfed ] && base=$((base + 280000))
# G (camera) likewise: each split's base + 350000.
[ "$maker" = camera ] && base=$((base + 350000))
# H (phone) likewise: each split's base + 420000.
[ "$maker" = phone ] && base=$((base + 420000))
# I (scanapp) likewise: each split's base + 490000.
[ "$maker" = scanapp ] && base=$((base + 490000))
# J (mfpscan) likewise: each split's base + 560000.
[ "$maker" = mfpscan ] && base=$((base + 560000))
# K (wand) likewise: each split's base + 630000.
[ "$maker" = wand ] && base=$((base + 630000))
# L (duplex) likewise: each split's base + 700000.
[ "$maker" = duplex ] && base=$((base + 700000))
# M (copystand) likewise: each split's base + 770000.
[ "$maker" = copystand ] && base=$((base + 770000))
# N (uvcdesk) likewise: each split's base + 840000.
[ "$maker" = uvcdesk ] && base=$((base + 840000))
# O (monitor) likewise: each split's base + 910000.
[ "$maker" = monitor ] && base=$((base + 910000))
# P (tablet) likewise: each split's base + 980000.
[ "$maker" = tablet ] && base=$((base + 980000))
# Q (teller) likewise: each split's base + 1050000.
[ "$maker" = teller ] && base=$((base + 1050000))
# R (planetary) likewise: each split's base + 1120000.
[ "$maker" = planetary ] && base=$((base + 1120000))
# S (colorfax) likewise: each split's base + 1190000.
[ "$maker" = colorfax ] && base=$((base + 1190000))
# T (letterfold) likewise: each split's base + 1260000.
[ "$maker" = letterfold ] && base=$((base + 1260000))
# U (kiosk) likewise: each split's base + 1330000.
[ "$maker" = kiosk ] && base=$((base + 1330000))
# V (webcam) likewise: each split's base + 1400000.
[ "$maker" = webcam ] && base=$((base + 1400000))
# W (sleeve) likewise: each split's base + 1470000.
[ "$maker" = sleeve ] && base=$((base + 1470000))
# X (mouse) likewise: each split's base + 1540000.
[ "$maker" = mouse ] && base=$((base + 1540000))
# Y (microfilm) likewise: each split's base + 1610000.
[ "$maker" = microfilm ] && base=$((base + 1610000))
# Z (filmscan, a second writer from Y's brief) likewise: each split's base + 1680000.
[ "$maker" = filmscan ] && base=$((base + 1680000))
# AA (govector) likewise: each split's base + 1750000.
[ "$maker" = govector ] && base=$((base + 1750000))
# AB (scriptfu) likewise: each split's base + 1820000.
[ "$maker" = scriptfu ] && base=$((base + 1820000))
# AC (linescan) likewise: each split's base + 1890000.
[ "$maker" = linescan ] && base=$((base + 1890000))
# AD (bookcradle) likewise: each split's base + 1960000.
[ "$maker" = bookcradle ] && base=$((base + 1960000))
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
shopt -s nullglob
hash=$( (cat "$here/$maker"/*.py "$here/$maker"/*.sh "$here/$maker"/*.java "$here/$maker"/*.go "$here/$maker"/*.c; echo "$split $n") | sha256sum | cut -c1-64)
if [ -f "$out/inputs.sha256" ] && [ "$(cat "$out/inputs.sha256")" = "$hash" ] && [ "$(ls "$out"/*.truth.json 2>/dev/null | wc -l)" -ge "$n" ]; then
  echo "make-set.sh: $out is up to date ($n sheets)" >&2
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
jobs=${SEAL_SHEET_JOBS:-1}
start=$(date +%s)
seq 0 $((n - 1)) | xargs -P "$jobs" -I{} sh -c "$PY '$here/$maker/make_sheet.py' \$(( $base + {} )) '$out' {}"
echo "$hash" > "$out/inputs.sha256"
echo "make-set.sh: $n $maker sheets ($split) in $out, $(( $(date +%s) - start )) s" >&2
