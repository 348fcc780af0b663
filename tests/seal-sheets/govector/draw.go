// Maker AA (govector): the drawing stage. Go's own accumulation-buffer rasteriser
// (golang.org/x/image/vector) fills polygons and glyph outlines read with
// golang.org/x/image/font/sfnt; every item is filled in a rasteriser the size of its
// own bounding box and composed into its layer by maximum ("max") or cut out of it
// ("cut": the layer times one less the item, for 阴文 and broken faces). Layers are
// written as 8-bit grey PGM files of coverage. Built once per run by make_sheet.py.
//
//   draw metrics < spec.json   per character of each font: its ink box and advance (em units, y up);
//                              a character the font lacks stops with exit 3 (never a fallback)
//   draw layers OUTDIR < spec.json
//   draw encode IN.ppm OUT.jpg QUALITY | draw encode IN.ppm OUT.png
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

const ppemUnits = 1000

type item struct {
	K  string      `json:"k"`
	C  [][]float64 `json:"c"`
	F  int         `json:"f"`
	R  string      `json:"r"`
	M  []float64   `json:"m"`
	Op string      `json:"op"`
}

type layer struct {
	Name  string  `json:"name"`
	W     int     `json:"w"`
	H     int     `json:"h"`
	Ox    float64 `json:"ox"`
	Oy    float64 `json:"oy"`
	Ppmm  float64 `json:"ppmm"`
	Items []item  `json:"items"`
}

type spec struct {
	Fonts  []string          `json:"fonts"`
	Text   map[string]string `json:"text"`
	Layers []layer           `json:"layers"`
}

var fonts []*sfnt.Font
var buf sfnt.Buffer

func die(code int, f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "draw: "+f+"\n", a...)
	os.Exit(code)
}

func loadFonts(paths []string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			die(2, "%v", err)
		}
		f, err := sfnt.Parse(b)
		if err != nil {
			die(2, "%s: %v", p, err)
		}
		fonts = append(fonts, f)
	}
}

// glyph returns the outline of one character in em units (x right, y down, origin on the baseline).
func glyph(fi int, r rune) (sfnt.Segments, sfnt.GlyphIndex) {
	f := fonts[fi]
	gi, err := f.GlyphIndex(&buf, r)
	if err != nil || gi == 0 {
		die(3, "font %d has no glyph for %q (U+%04X)", fi, string(r), r)
	}
	segs, err := f.LoadGlyph(&buf, gi, fixed.I(ppemUnits), nil)
	if err != nil {
		die(3, "font %d: glyph %q: %v", fi, string(r), err)
	}
	out := make(sfnt.Segments, len(segs))
	copy(out, segs)
	return out, gi
}

func u(v fixed.Int26_6) float64 { return float64(v) / 64 / ppemUnits }

func metrics(s spec) {
	res := map[string]map[string][5]float64{}
	for k, txt := range s.Text {
		fi, _ := strconv.Atoi(k)
		m := map[string][5]float64{}
		for _, r := range txt {
			if _, ok := m[string(r)]; ok {
				continue
			}
			segs, gi := glyph(fi, r)
			x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
			for _, sg := range segs {
				n := 1
				switch sg.Op {
				case sfnt.SegmentOpQuadTo:
					n = 2
				case sfnt.SegmentOpCubeTo:
					n = 3
				}
				for i := 0; i < n; i++ {
					x, y := u(sg.Args[i].X), -u(sg.Args[i].Y)
					x0, y0 = math.Min(x0, x), math.Min(y0, y)
					x1, y1 = math.Max(x1, x), math.Max(y1, y)
				}
			}
			adv, err := fonts[fi].GlyphAdvance(&buf, gi, fixed.I(ppemUnits), font.HintingNone)
			if err != nil {
				die(3, "advance %q: %v", string(r), err)
			}
			if len(segs) == 0 {
				x0, y0, x1, y1 = 0, 0, 0, 0
			}
			m[string(r)] = [5]float64{x0, y0, x1, y1, u(adv)}
		}
		res[k] = m
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

// path is a list of closed contours in layer pixels; quadratic and cubic pieces are kept as such.
type seg struct {
	op  int // 0 move, 1 line, 2 quad, 3 cube
	pts [3][2]float64
}

func itemSegs(it item, L *layer) []seg {
	var out []seg
	px := func(x, y float64) [2]float64 { return [2]float64{(x - L.Ox) * L.Ppmm, (y - L.Oy) * L.Ppmm} }
	switch it.K {
	case "poly":
		for _, c := range it.C {
			for i := 0; i+1 < len(c); i += 2 {
				op := 1
				if i == 0 {
					op = 0
				}
				out = append(out, seg{op: op, pts: [3][2]float64{px(c[i], c[i+1])}})
			}
		}
	case "glyph":
		rs := []rune(it.R)
		if len(rs) != 1 {
			die(2, "glyph item needs one character, got %q", it.R)
		}
		segs, _ := glyph(it.F, rs[0])
		m := it.M
		tr := func(p fixed.Point26_6) [2]float64 {
			x, y := u(p.X), -u(p.Y)
			return px(m[0]*x+m[1]*y+m[2], m[3]*x+m[4]*y+m[5])
		}
		for _, sg := range segs {
			s := seg{}
			switch sg.Op {
			case sfnt.SegmentOpMoveTo:
				s.op = 0
				s.pts[0] = tr(sg.Args[0])
			case sfnt.SegmentOpLineTo:
				s.op = 1
				s.pts[0] = tr(sg.Args[0])
			case sfnt.SegmentOpQuadTo:
				s.op = 2
				s.pts[0], s.pts[1] = tr(sg.Args[0]), tr(sg.Args[1])
			case sfnt.SegmentOpCubeTo:
				s.op = 3
				s.pts[0], s.pts[1], s.pts[2] = tr(sg.Args[0]), tr(sg.Args[1]), tr(sg.Args[2])
			}
			out = append(out, s)
		}
	default:
		die(2, "unknown item kind %q", it.K)
	}
	return out
}

func fill(L *layer, cov []float32, it item) {
	segs := itemSegs(it, L)
	if len(segs) == 0 {
		return
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range segs {
		for i := 0; i < s.op || i == 0; i++ {
			p := s.pts[i]
			x0, y0 = math.Min(x0, p[0]), math.Min(y0, p[1])
			x1, y1 = math.Max(x1, p[0]), math.Max(y1, p[1])
		}
	}
	bx0, by0 := int(math.Floor(x0))-1, int(math.Floor(y0))-1
	bx1, by1 := int(math.Ceil(x1))+1, int(math.Ceil(y1))+1
	if bx0 < 0 {
		bx0 = 0
	}
	if by0 < 0 {
		by0 = 0
	}
	if bx1 > L.W {
		bx1 = L.W
	}
	if by1 > L.H {
		by1 = L.H
	}
	if bx1 <= bx0 || by1 <= by0 {
		return
	}
	w, h := bx1-bx0, by1-by0
	z := vector.NewRasterizer(w, h)
	z.DrawOp = draw.Src
	f := func(p [2]float64) (float32, float32) { return float32(p[0] - float64(bx0)), float32(p[1] - float64(by0)) }
	open := false
	for _, s := range segs {
		switch s.op {
		case 0:
			if open {
				z.ClosePath()
			}
			z.MoveTo(f(s.pts[0]))
			open = true
		case 1:
			z.LineTo(f(s.pts[0]))
		case 2:
			ax, ay := f(s.pts[0])
			bx, by := f(s.pts[1])
			z.QuadTo(ax, ay, bx, by)
		case 3:
			ax, ay := f(s.pts[0])
			bx, by := f(s.pts[1])
			cx, cy := f(s.pts[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	if open {
		z.ClosePath()
	}
	dst := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(dst, dst.Bounds(), image.Opaque, image.Point{})
	for y := 0; y < h; y++ {
		row := cov[(by0+y)*L.W+bx0 : (by0+y)*L.W+bx1]
		src := dst.Pix[y*dst.Stride : y*dst.Stride+w]
		for x := 0; x < w; x++ {
			a := float32(src[x]) / 255
			if it.Op == "cut" {
				row[x] *= 1 - a
			} else if a > row[x] {
				row[x] = a
			}
		}
	}
}

func layers(s spec, dir string) {
	for i := range s.Layers {
		L := &s.Layers[i]
		cov := make([]float32, L.W*L.H)
		for _, it := range L.Items {
			fill(L, cov, it)
		}
		fh, err := os.Create(filepath.Join(dir, L.Name+".pgm"))
		if err != nil {
			die(2, "%v", err)
		}
		w := bufio.NewWriterSize(fh, 1<<20)
		fmt.Fprintf(w, "P5\n%d %d\n255\n", L.W, L.H)
		row := make([]byte, L.W)
		for y := 0; y < L.H; y++ {
			for x := 0; x < L.W; x++ {
				row[x] = byte(math.Round(float64(cov[y*L.W+x]) * 255))
			}
			w.Write(row)
		}
		w.Flush()
		fh.Close()
	}
}

func readPPM(p string) *image.RGBA {
	fh, err := os.Open(p)
	if err != nil {
		die(2, "%v", err)
	}
	defer fh.Close()
	r := bufio.NewReader(fh)
	var magic string
	var w, h, mx int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &mx); err != nil || magic != "P6" || mx != 255 {
		die(2, "%s: not an 8-bit P6 file", p)
	}
	r.ReadByte()
	data := make([]byte, w*h*3)
	if _, err := io.ReadFull(r, data); err != nil {
		die(2, "%s: %v", p, err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = data[3*i], data[3*i+1], data[3*i+2], 255
	}
	return img
}

func encode(in, out string, q int) {
	img := readPPM(in)
	fh, err := os.Create(out)
	if err != nil {
		die(2, "%v", err)
	}
	defer fh.Close()
	w := bufio.NewWriter(fh)
	switch filepath.Ext(out) {
	case ".jpg":
		err = jpeg.Encode(w, img, &jpeg.Options{Quality: q})
	case ".png":
		// opaque: Go's encoder writes RGB without alpha for an opaque image
		enc := png.Encoder{CompressionLevel: png.DefaultCompression}
		err = enc.Encode(w, img)
	default:
		die(2, "unknown output %s", out)
	}
	if err != nil {
		die(2, "%v", err)
	}
	w.Flush()
}

var _ = color.Opaque

func main() {
	if len(os.Args) < 2 {
		die(2, "usage: draw metrics|layers DIR|encode IN OUT [Q]")
	}
	switch os.Args[1] {
	case "encode":
		q := 90
		if len(os.Args) > 4 {
			q, _ = strconv.Atoi(os.Args[4])
		}
		encode(os.Args[2], os.Args[3], q)
		return
	}
	var s spec
	if err := json.NewDecoder(bufio.NewReader(os.Stdin)).Decode(&s); err != nil {
		die(2, "spec: %v", err)
	}
	loadFonts(s.Fonts)
	switch os.Args[1] {
	case "metrics":
		metrics(s)
	case "layers":
		layers(s, os.Args[2])
	default:
		die(2, "unknown mode %s", os.Args[1])
	}
}
