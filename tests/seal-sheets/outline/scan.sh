#!/usr/bin/env bash
# Maker C's scanner: an ImageMagick command chain over the page Ghostscript rendered. The
# page laid crooked (-distort SRT about its centre), optics (-blur), the lamp's white and a
# paper tint (-level, -fill/-colorize), sensor noise (+noise Gaussian/Multiplicative
# through -attenuate), the red channel misregistered by a pixel (-channel R -roll), then JPEG
# (quality 55-95, 4:2:0/4:2:2/4:4:4), PNG or TIFF, the resolution written for most files.
# The truth image takes the same -distort, nothing else.
#   scan.sh PAGE.png OUT.{jpg,png,tif} DPI TILT SEED IN_FILE(0|1) INK.png INK_OUT.png
set -euo pipefail
page=$1 out=$2 dpi=$3 tilt=$4 seed=$5 in_file=$6 ink=$7 ink_out=$8
# Debian's ImageMagick 6 by its own name: another `convert` may come first on PATH.
IM=$(command -v convert-im6.q16 || command -v /usr/bin/convert)
# Draw the chain's parameters from the seed (awk's rand; bash's $RANDOM is 15 bits).
read -r blur white noise kind q sub roll < <(awk -v s="$seed" 'BEGIN { srand(s);
  blur = 0.35 + rand() * 0.9; white = 91 + int(rand() * 9);
  # ImageMagick 6: Gaussian at 0.15-0.7 gives σ 3-13 levels on paper, Multiplicative at
  # 0.05-0.2 about the same; its Poisson darkens the page, so it is not used.
  k = int(rand() * 2); kinds[0] = "Gaussian"; kinds[1] = "Multiplicative";
  noise = (k == 0) ? 0.15 + rand() * 0.55 : 0.05 + rand() * 0.15;
  q = 55 + int(rand() * 41); s2 = int(rand() * 3); subs[0] = "4:2:0"; subs[1] = "4:2:2"; subs[2] = "1x1";
  roll = (rand() < 0.5) ? 1 : 0;
  printf "%.3f %d %.3f %s %d %s %d\n", blur, white, noise, kinds[k], q, subs[s2], roll }')
args=(-virtual-pixel White -background White -distort SRT "$tilt" -blur "0x$blur" +level "0%,${white}%")
[ "$roll" = 1 ] && args+=(-channel R -roll +1+0 +channel)
args+=(-seed "$seed" -attenuate "$noise" +noise "$kind")
density=()
[ "$in_file" = 1 ] && density=(-units PixelsPerInch -density "$dpi")
case "$out" in
  *.jpg) "$IM" "$page" "${args[@]}" "${density[@]}" -sampling-factor "$sub" -quality "$q" "$out" ;;
  *.tif) "$IM" "$page" "${args[@]}" "${density[@]}" -compress LZW "$out" ;;
  *) "$IM" "$page" "${args[@]}" "${density[@]}" "$out" ;;
esac
"$IM" "$ink" -virtual-pixel Black -background Black -distort SRT "$tilt" "$ink_out"
