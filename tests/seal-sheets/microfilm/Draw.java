// Maker Y (microfilm/): Java2D (Graphics2D, antialiased, Marlin) draws the sheet's grey coverage layers
// from a job file written by make_sheet.py. Usage: java Draw.java FONTFILE JOBFILE OUTDIR
// Units in the job: millimetres on the page; the layer's origin in page pixels. Every glyph must exist in
// the face: a missing one stops the sheet (exit 3), never a fallback.
import java.awt.*;
import java.awt.font.*;
import java.awt.geom.*;
import java.awt.image.*;
import java.io.*;
import java.nio.file.*;
import java.util.*;

public class Draw {
    static Font font;
    static double S; // px per mm
    static BufferedImage img; static Graphics2D g; static String name; static String outdir;
    static double ox, oy; static AffineTransform local = new AffineTransform();

    static Shape glyphs(String text, double h) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (font.canDisplayUpTo(new String(Character.toChars(cp))) != -1) {
                System.err.println("Draw: glyph missing in the face: " + new String(Character.toChars(cp)));
                System.exit(3);
            }
            i += Character.charCount(cp);
        }
        FontRenderContext frc = new FontRenderContext(null, true, true);
        GlyphVector gv = font.deriveFont(100f).createGlyphVector(frc, text);
        Shape s = gv.getOutline();
        if (s.getBounds2D().isEmpty()) { System.err.println("Draw: empty outline for " + text); System.exit(3); }
        AffineTransform t = AffineTransform.getScaleInstance(h / 100.0, h / 100.0);
        return t.createTransformedShape(s);
    }
    static Shape centred(Shape s, double cx, double cy, double sx) {
        Rectangle2D b = s.getBounds2D();
        AffineTransform t = new AffineTransform();
        t.translate(cx, cy); t.scale(sx, 1.0); t.translate(-b.getCenterX(), -b.getCenterY());
        return t.createTransformedShape(s);
    }
    static void fill(Shape s) { g.fill(local.createTransformedShape(s)); }

    public static void main(String[] a) throws Exception {
        font = Font.createFont(Font.TRUETYPE_FONT, new File(a[0]));
        outdir = a[2];
        for (String line : Files.readAllLines(Paths.get(a[1]), java.nio.charset.StandardCharsets.UTF_8)) {
            String[] p = line.trim().split(" ");
            if (p.length == 0 || p[0].isEmpty()) continue;
            switch (p[0]) {
                case "SCALE": S = Double.parseDouble(p[1]); break;
                case "BEGIN": {
                    name = p[1]; ox = Double.parseDouble(p[2]); oy = Double.parseDouble(p[3]);
                    int w = Integer.parseInt(p[4]), h = Integer.parseInt(p[5]);
                    img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                    g = img.createGraphics();
                    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
                    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                    g.setColor(Color.BLACK); g.fillRect(0, 0, w, h); g.setColor(Color.WHITE);
                    g.setTransform(new AffineTransform(S, 0, 0, S, -ox, -oy));
                    local = new AffineTransform(); break; }
                case "T": {
                    local = new AffineTransform();
                    local.translate(Double.parseDouble(p[1]), Double.parseDouble(p[2]));
                    local.rotate(Math.toRadians(Double.parseDouble(p[3]))); break; }
                case "CLEAR": g.setColor(p[1].equals("1") ? Color.BLACK : Color.WHITE); break;
                case "RING": {
                    double r = Double.parseDouble(p[1]), w = Double.parseDouble(p[2]);
                    Area ar = new Area(new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
                    double ri = r - w; ar.subtract(new Area(new Ellipse2D.Double(-ri, -ri, 2 * ri, 2 * ri)));
                    fill(ar); break; }
                case "STAR": {
                    double r = Double.parseDouble(p[1]); Path2D.Double st = new Path2D.Double();
                    for (int k = 0; k < 10; k++) {
                        double rr = (k % 2 == 0) ? r : r * 0.382, an = Math.toRadians(-90 + 36 * k);
                        if (k == 0) st.moveTo(rr * Math.cos(an), rr * Math.sin(an)); else st.lineTo(rr * Math.cos(an), rr * Math.sin(an));
                    }
                    st.closePath(); fill(st); break; }
                case "ARC": { // ARC h r span sx text: glyph tops at radius r, centred over the top
                    double h = Double.parseDouble(p[1]), r = Double.parseDouble(p[2]), span = Double.parseDouble(p[3]), sx = Double.parseDouble(p[4]);
                    String text = p[5]; int n = text.codePointCount(0, text.length()); int i = 0, k = 0;
                    while (i < text.length()) {
                        int cp = text.codePointAt(i); String ch = new String(Character.toChars(cp)); i += Character.charCount(cp);
                        double an = (n == 1) ? 0 : -span / 2 + span * k / (n - 1); k++;
                        Shape gl = centred(glyphs(ch, h), 0, -r + h / 2, sx);
                        fill(AffineTransform.getRotateInstance(Math.toRadians(an)).createTransformedShape(gl)); }
                    break; }
                case "TEXT": { // TEXT cx cy h sx text (centred)
                    fill(centred(glyphs(p[5], Double.parseDouble(p[3])), Double.parseDouble(p[1]), Double.parseDouble(p[2]), Double.parseDouble(p[4])));
                    break; }
                case "CELL": { // CELL cx cy w h text: a glyph stretched to its cell
                    Shape gl = glyphs(p[5], 10); Rectangle2D b = gl.getBounds2D();
                    double w = Double.parseDouble(p[3]), h = Double.parseDouble(p[4]);
                    AffineTransform t = new AffineTransform(); t.translate(Double.parseDouble(p[1]), Double.parseDouble(p[2]));
                    t.scale(w / b.getWidth(), h / b.getHeight()); t.translate(-b.getCenterX(), -b.getCenterY());
                    fill(t.createTransformedShape(gl)); break; }
                case "RECTF": { double w = Double.parseDouble(p[1]), h = Double.parseDouble(p[2]);
                    fill(new Rectangle2D.Double(-w / 2, -h / 2, w, h)); break; }
                case "RECTS": { double w = Double.parseDouble(p[1]), h = Double.parseDouble(p[2]), lw = Double.parseDouble(p[3]);
                    Area ar = new Area(new Rectangle2D.Double(-w / 2, -h / 2, w, h));
                    ar.subtract(new Area(new Rectangle2D.Double(-w / 2 + lw, -h / 2 + lw, w - 2 * lw, h - 2 * lw)));
                    fill(ar); break; }
                case "POLY": { double lw = Double.parseDouble(p[1]); Path2D.Double pa = new Path2D.Double();
                    for (int k = 2; k + 1 < p.length; k += 2) {
                        double x = Double.parseDouble(p[k]), y = Double.parseDouble(p[k + 1]);
                        if (k == 2) pa.moveTo(x, y); else pa.lineTo(x, y); }
                    fill(new BasicStroke((float) lw, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND).createStrokedShape(pa)); break; }
                case "LINE": { double lw = Double.parseDouble(p[5]);
                    Line2D.Double l = new Line2D.Double(Double.parseDouble(p[1]), Double.parseDouble(p[2]), Double.parseDouble(p[3]), Double.parseDouble(p[4]));
                    fill(new BasicStroke((float) lw, BasicStroke.CAP_SQUARE, BasicStroke.JOIN_MITER).createStrokedShape(l)); break; }
                case "END": {
                    g.dispose();
                    try (OutputStream os = new BufferedOutputStream(new FileOutputStream(outdir + "/" + name + ".pgm"))) {
                        os.write(("P5\n" + img.getWidth() + " " + img.getHeight() + "\n255\n").getBytes());
                        os.write(((DataBufferByte) img.getRaster().getDataBuffer()).getData());
                    }
                    break; }
                default: System.err.println("Draw: unknown command " + p[0]); System.exit(2);
            }
        }
    }
}
