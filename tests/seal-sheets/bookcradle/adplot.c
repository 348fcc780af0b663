/* A tiny front end to GNU libplot's bitmap (PNM) driver: reads drawing commands on stdin,
   writes a binary PPM of white shapes on black (the coverage, 0 or 255) to stdout.
   W H             bitmap size (first line)
   F e|n           fill rule: even-odd or nonzero winding
   M x y / L x y / Q x1 y1 x y / C x1 y1 x2 y2 x y / Z / E   a filled compound path (E ends it)
   O cx cy r w     a ring: the circle stroked with line width w
   D cx cy r       a filled disc
   K w n x y ...   an open polyline of n points stroked with round caps and joins, width w
   y grows downwards (it is flipped here).                                                  */
#include <stdio.h>
#include <stdlib.h>
#include <plot.h>
int main(void) {
  int W, H; char c; double H_;
  if (scanf("%d %d", &W, &H) != 2) return 2;
  H_ = H;
  char size[64]; snprintf(size, sizeof size, "%dx%d", W, H);
  plPlotterParams *pp = pl_newplparams();
  pl_setplparam(pp, "BITMAPSIZE", size);
  pl_setplparam(pp, "BG_COLOR", "black");
  pl_setplparam(pp, "PNM_PORTABLE", "no");
  plPlotter *p = pl_newpl_r("pnm", NULL, stdout, stderr, pp);
  if (!p || pl_openpl_r(p) < 0) return 3;
  pl_fspace2_r(p, 0, 0, W, 0, 0, H);
  pl_erase_r(p);
  pl_pencolor_r(p, 65535, 65535, 65535); pl_fillcolor_r(p, 65535, 65535, 65535);
  pl_capmod_r(p, "round"); pl_joinmod_r(p, "round");
  double x0 = 0, y0 = 0, a, b, d, e, f, g; int inpath = 0;
  while (scanf(" %c", &c) == 1) {
    switch (c) {
    case 'F': { char r[4]; if (scanf("%3s", r) != 1) return 4; pl_fillmod_r(p, r[0] == 'e' ? "even-odd" : "nonzero"); break; }
    case 'M': if (scanf("%lf %lf", &a, &b) != 2) return 4;
      if (!inpath) { pl_filltype_r(p, 1); pl_pentype_r(p, 0); inpath = 1; } else pl_endsubpath_r(p);
      pl_fmove_r(p, a, H_ - b); x0 = a; y0 = b; break;
    case 'L': if (scanf("%lf %lf", &a, &b) != 2) return 4; pl_fcont_r(p, a, H_ - b); x0 = a; y0 = b; break;
    case 'Q': if (scanf("%lf %lf %lf %lf", &a, &b, &d, &e) != 4) return 4;
      pl_fbezier2_r(p, x0, H_ - y0, a, H_ - b, d, H_ - e); x0 = d; y0 = e; break;
    case 'C': if (scanf("%lf %lf %lf %lf %lf %lf", &a, &b, &d, &e, &f, &g) != 6) return 4;
      pl_fbezier3_r(p, x0, H_ - y0, a, H_ - b, d, H_ - e, f, H_ - g); x0 = f; y0 = g; break;
    case 'Z': pl_closepath_r(p); break;
    case 'E': pl_endpath_r(p); inpath = 0; break;
    case 'O': if (scanf("%lf %lf %lf %lf", &a, &b, &d, &e) != 4) return 4;
      pl_filltype_r(p, 0); pl_pentype_r(p, 1); pl_flinewidth_r(p, e); pl_fcircle_r(p, a, H_ - b, d); pl_endpath_r(p); break;
    case 'D': if (scanf("%lf %lf %lf", &a, &b, &d) != 3) return 4;
      pl_filltype_r(p, 1); pl_pentype_r(p, 0); pl_fcircle_r(p, a, H_ - b, d); pl_endpath_r(p); break;
    case 'K': { int n; if (scanf("%lf %d", &a, &n) != 2) return 4;
      pl_filltype_r(p, 0); pl_pentype_r(p, 1); pl_flinewidth_r(p, a);
      for (int i = 0; i < n; i++) { if (scanf("%lf %lf", &b, &d) != 2) return 4;
        if (i == 0) pl_fmove_r(p, b, H_ - d); else pl_fcont_r(p, b, H_ - d); }
      pl_endpath_r(p); break; }
    default: return 5;
    }
  }
  pl_closepl_r(p); pl_deletepl_r(p); pl_deleteplparams(pp);
  return 0;
}
