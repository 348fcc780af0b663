// Maker Y (filmscan): Java2D (Marlin) coverage layers from a spec file; one JVM per sheet.
// Each layer is a grey PGM, 255 where the shape covers the pixel. Glyph outlines come from
// Font.createGlyphVector(...).getOutline(); a glyph the face lacks stops the sheet.
import java.awt.*;
import java.awt.font.*;
import java.awt.geom.*;
import java.awt.image.*;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

public class Draw {
  static Font face;
  static BufferedImage img; static Graphics2D g; static String out; static double ox, oy;
  static void need(String s) {
    int i = face.canDisplayUpTo(s);
    if (i >= 0) { System.err.println("Draw: glyph missing: " + s.charAt(i)); System.exit(3); }
  }
  static Shape glyphs(String s, double size) {
    need(s);
    Font f = face.deriveFont((float) size);
    GlyphVector gv = f.createGlyphVector(g.getFontRenderContext(), s);
    return gv.getOutline();
  }
  static void write() throws IOException {
    g.dispose();
    int w = img.getWidth(), h = img.getHeight();
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    try (OutputStream o = new BufferedOutputStream(new FileOutputStream(out))) {
      o.write(("P5\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII));
      o.write(px, 0, w * h);
    }
  }
  public static void main(String[] a) throws Exception {
    face = Font.createFont(Font.TRUETYPE_FONT, new File(a[1]));
    AffineTransform base = null;
    for (String line : Files.readAllLines(Paths.get(a[0]), StandardCharsets.UTF_8)) {
      String[] t = line.split("\t");
      switch (t[0]) {
        case "LAYER": {
          if (img != null) write();
          int w = Integer.parseInt(t[1]), h = Integer.parseInt(t[2]);
          ox = Double.parseDouble(t[3]); oy = Double.parseDouble(t[4]); out = t[5];
          img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
          g = img.createGraphics();
          g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
          g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
          g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
          g.setColor(Color.BLACK); g.fillRect(0, 0, w, h); g.setColor(Color.WHITE);
          g.translate(-ox, -oy); base = g.getTransform();
          break; }
        case "ROT": { g.setTransform(base);
          g.rotate(Math.toRadians(Double.parseDouble(t[3])), Double.parseDouble(t[1]), Double.parseDouble(t[2])); break; }
        case "RESET": g.setTransform(base); break;
        case "RING": { double cx = d(t[1]), cy = d(t[2]), r = d(t[3]), lw = d(t[4]);
          Area A = new Area(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
          A.subtract(new Area(new Ellipse2D.Double(cx - r + lw, cy - r + lw, 2 * (r - lw), 2 * (r - lw))));
          g.fill(A); break; }
        case "STAR": { double cx = d(t[1]), cy = d(t[2]), r = d(t[3]);
          Path2D p = new Path2D.Double();
          for (int i = 0; i < 10; i++) { double rr = (i % 2 == 0) ? r : r * 0.382; double th = -Math.PI / 2 + i * Math.PI / 5;
            if (i == 0) p.moveTo(cx + rr * Math.cos(th), cy + rr * Math.sin(th)); else p.lineTo(cx + rr * Math.cos(th), cy + rr * Math.sin(th)); }
          p.closePath(); g.fill(p); break; }
        case "ARC": { // cx cy r a0 a1 size text : glyphs upright along the arc, tops outward
          double cx = d(t[1]), cy = d(t[2]), r = d(t[3]), a0 = d(t[4]), a1 = d(t[5]), sz = d(t[6]); String s = t[7];
          int n = s.codePointCount(0, s.length()); int k = 0;
          for (int off = 0; off < s.length(); ) { int cp = s.codePointAt(off); String ch = new String(Character.toChars(cp)); off += Character.charCount(cp);
            double th = Math.toRadians(n == 1 ? (a0 + a1) / 2 : a0 + (a1 - a0) * k / (n - 1)); k++;
            Shape gl = glyphs(ch, sz); Rectangle2D b = gl.getBounds2D();
            AffineTransform at = new AffineTransform();
            at.translate(cx + r * Math.sin(th), cy - r * Math.cos(th)); at.rotate(th);
            at.translate(-b.getCenterX(), -b.getMinY());
            g.fill(at.createTransformedShape(gl)); }
          break; }
        case "TEXT": { // cx cy size sx text : centred, sx horizontal scale
          double cx = d(t[1]), cy = d(t[2]), sz = d(t[3]), sx = d(t[4]);
          Shape gl = glyphs(t[5], sz); Rectangle2D b = gl.getBounds2D();
          AffineTransform at = new AffineTransform(); at.translate(cx, cy); at.scale(sx, 1); at.translate(-b.getCenterX(), -b.getCenterY());
          g.fill(at.createTransformedShape(gl)); break; }
        case "LTEXT": { // x baseline size text
          Shape gl = glyphs(t[4], d(t[3]));
          g.fill(AffineTransform.getTranslateInstance(d(t[1]), d(t[2])).createTransformedShape(gl)); break; }
        case "FRAME": { double x = d(t[1]), y = d(t[2]), w = d(t[3]), h = d(t[4]), lw = d(t[5]);
          Area A = new Area(new Rectangle2D.Double(x, y, w, h));
          A.subtract(new Area(new Rectangle2D.Double(x + lw, y + lw, w - 2 * lw, h - 2 * lw))); g.fill(A); break; }
        case "YIN": { // x y w h size text(4 chars, right column first): 阴文 block, glyphs cut out
          double x = d(t[1]), y = d(t[2]), w = d(t[3]), h = d(t[4]), sz = d(t[5]); String s = t[6];
          Area A = new Area(new Rectangle2D.Double(x, y, w, h));
          int n = s.length();
          for (int i = 0; i < n; i++) { String ch = s.substring(i, i + 1);
            Shape gl = glyphs(ch, sz); Rectangle2D b = gl.getBounds2D();
            double cx = x + w * (i < 2 ? 0.74 : 0.26), cy = y + h * ((i % 2 == 0) ? 0.27 : 0.73);
            AffineTransform at = new AffineTransform(); at.translate(cx, cy); at.scale(w * 0.40 / b.getWidth(), h * 0.40 / b.getHeight()); at.translate(-b.getCenterX(), -b.getCenterY());
            A.subtract(new Area(at.createTransformedShape(gl))); }
          g.fill(A); break; }
        case "GRID": { // x y w h size text(4 chars) 阳文 in a 2x2 grid
          double x = d(t[1]), y = d(t[2]), w = d(t[3]), h = d(t[4]); String s = t[6];
          for (int i = 0; i < s.length(); i++) { String ch = s.substring(i, i + 1);
            Shape gl = glyphs(ch, d(t[5])); Rectangle2D b = gl.getBounds2D();
            double cx = x + w * (i < 2 ? 0.74 : 0.26), cy = y + h * ((i % 2 == 0) ? 0.27 : 0.73);
            AffineTransform at = new AffineTransform(); at.translate(cx, cy); at.scale(w * 0.40 / b.getWidth(), h * 0.40 / b.getHeight()); at.translate(-b.getCenterX(), -b.getCenterY());
            g.fill(at.createTransformedShape(gl)); }
          break; }
        case "LINE": { g.setStroke(new BasicStroke((float) d(t[5]), BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
          g.draw(new Line2D.Double(d(t[1]), d(t[2]), d(t[3]), d(t[4]))); break; }
        case "PEN": { // lw x0 y0 x1 y1 ... : a pen stroke, round caps
          g.setStroke(new BasicStroke((float) d(t[1]), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
          Path2D p = new Path2D.Double(); p.moveTo(d(t[2]), d(t[3]));
          for (int i = 4; i + 1 < t.length; i += 2) p.lineTo(d(t[i]), d(t[i + 1]));
          g.draw(p); break; }
        case "CUT": { // wedge cut: cx cy r0 r1 a0 a1 (degrees clockwise from top), painted black
          double cx = d(t[1]), cy = d(t[2]), r1 = d(t[4]), a0 = d(t[5]), a1 = d(t[6]), r0 = d(t[3]);
          Area A = new Area(new Arc2D.Double(cx - r1, cy - r1, 2 * r1, 2 * r1, 90 - a1, a1 - a0, Arc2D.PIE));
          A.subtract(new Area(new Ellipse2D.Double(cx - r0, cy - r0, 2 * r0, 2 * r0)));
          g.setColor(Color.BLACK); g.fill(A); g.setColor(Color.WHITE); break; }
        case "CUTR": { g.setColor(Color.BLACK); g.fill(new Rectangle2D.Double(d(t[1]), d(t[2]), d(t[3]), d(t[4]))); g.setColor(Color.WHITE); break; }
        default: if (!t[0].isEmpty()) throw new RuntimeException("Draw: unknown " + t[0]);
      }
    }
    if (img != null) write();
  }
  static double d(String s) { return Double.parseDouble(s); }
}
