/* test_coords.c — coordinate conventions and Qwen2.5-VL smart_resize.
 *
 * Every expected value is worked out by hand in the comment beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "coords.h"

#define EPS 1e-9

static record rec(rec_key key, double a, double b, double c, double d)
{
	record r;
	memset(&r, 0, sizeof r);
	r.label = (char *)"cat";
	r.label_len = 3;
	r.key = key;
	r.v[0] = a;
	r.v[1] = b;
	r.v[2] = c;
	r.v[3] = d;
	return r;
}

/* cmocka 1.1's assert_float_equal works in float: compare doubles here. */
#define assert_double_near(a, b, eps)                                        \
	do {                                                                 \
		double a_ = (a), b_ = (b);                                   \
		if (!(fabs(a_ - b_) <= (eps))) {                             \
			print_error("%.17g != %.17g\n", a_, b_);            \
			fail();                                              \
		}                                                            \
	} while (0)

static void assert_box(const double box[4], double x1, double y1, double x2, double y2)
{
	assert_double_near(box[0], x1, EPS);
	assert_double_near(box[1], y1, EPS);
	assert_double_near(box[2], x2, EPS);
	assert_double_near(box[3], y2, EPS);
}

static void sr(long h, long w, long max_pixels, long eh, long ew)
{
	long ho = -1, wo = -1;
	assert_int_equal(coords_smart_resize(h, w, 28, 56 * 56, max_pixels, &ho, &wo), TS_OK);
	assert_int_equal(ho, eh);
	assert_int_equal(wo, ew);
}

#define MAXP_DEFAULT (28L * 28 * 16384) /* 12,845,056 */

static void test_smart_resize(void **state)
{
	(void)state;
	/* 480x640: 480/28 = 17.14 -> 17 -> 476; 640/28 = 22.86 -> 23 -> 644;
	 * 476*644 = 306,544 is within [3136, 12,845,056]. */
	sr(480, 640, MAXP_DEFAULT, 476, 644);

	/* 8000x6000: rounded 8008x5992 = 47,983,936 > max.
	 * beta = sqrt(48,000,000 / 12,845,056) = 1.93309;
	 * 8000/beta/28 = 147.80 -> 147*28 = 4116; 6000/beta/28 = 110.85 -> 110*28 = 3080. */
	sr(8000, 6000, MAXP_DEFAULT, 4116, 3080);

	/* 20x30: rounded 28x28 = 784 < 3136. beta = sqrt(3136/600) = 2.28619;
	 * 20*beta/28 = 1.63 -> 2*28 = 56; 30*beta/28 = 2.45 -> 3*28 = 84. */
	sr(20, 30, MAXP_DEFAULT, 56, 84);

	/* 1x1: round(1/28) = 0 -> at least 28; 784 < 3136; beta = 56;
	 * 56/28 = 2 -> 56. */
	sr(1, 1, MAXP_DEFAULT, 56, 56);

	/* 14x14: round(0.5) = 0 (half to even) -> 28; beta = sqrt(3136/196) = 4;
	 * 14*4/28 = 2 -> 56. */
	sr(14, 14, MAXP_DEFAULT, 56, 56);

	/* Python round() is half to even: 42/28 = 1.5 -> 2 -> 56; 70/28 = 2.5
	 * -> 2 -> 56 (half up would give 84).  56*56 = 3136 is not < min. */
	sr(42, 70, MAXP_DEFAULT, 56, 56);
	/* 98/28 = 3.5 -> 4 -> 112; 126/28 = 4.5 -> 4 -> 112 (not 140). */
	sr(98, 126, MAXP_DEFAULT, 112, 112);

	/* exactly max_pixels: 3584 = 28*128, 3584^2 = 12,845,056, not > max. */
	sr(3584, 3584, MAXP_DEFAULT, 3584, 3584);

	/* custom max_pixels 1280*28*28 = 1,003,520 on 1080x1920: rounded
	 * 1092x1932 = 2,109,744 > max; beta = sqrt(2,073,600/1,003,520) = 1.43749;
	 * 1080/beta/28 = 26.83 -> 26*28 = 728; 1920/beta/28 = 47.70 -> 47*28 = 1316. */
	sr(1080, 1920, 1280L * 28 * 28, 728, 1316);

	/* a thin strip 10x2,000,000: rounded 28x2,000,012 = 56,000,336 > max;
	 * beta = sqrt(20,000,000/12,845,056) = 1.24781; 10/beta/28 = 0.29 -> 0,
	 * kept at least 28; 2,000,000/beta/28 = 57243.3 -> 57243*28 = 1,602,804. */
	sr(10, 2000000, MAXP_DEFAULT, 28, 1602804);

	/* bad sizes */
	long ho, wo;
	assert_int_equal(coords_smart_resize(0, 640, 28, 3136, MAXP_DEFAULT, &ho, &wo), TS_ERR_FIELD);
	assert_int_equal(coords_smart_resize(480, -1, 28, 3136, MAXP_DEFAULT, &ho, &wo), TS_ERR_FIELD);
	assert_int_equal(coords_smart_resize(480, 640, 0, 3136, MAXP_DEFAULT, &ho, &wo), TS_ERR_FIELD);
	assert_int_equal(coords_smart_resize(480, 640, 28, 3136, 0, &ho, &wo), TS_ERR_FIELD);
	assert_int_equal(coords_smart_resize(1L << 40, 640, 28, 3136, MAXP_DEFAULT, &ho, &wo), TS_ERR_FIELD);
}

static void test_opts_and_names(void **state)
{
	(void)state;
	coords_opts o;
	coords_opts_default(&o);
	assert_int_equal(o.kind, COORDS_AUTO);
	assert_int_equal(o.factor, 28);
	assert_int_equal(o.min_pixels, 3136);
	assert_int_equal(o.max_pixels, 12845056);

	static const char *const names[] = { "auto", "qwen3", "qwen25", "gemini", "paligemma", "xyxy" };
	static const coords_kind kinds[] = { COORDS_AUTO, COORDS_QWEN3, COORDS_QWEN25,
	                                     COORDS_GEMINI, COORDS_PALIGEMMA, COORDS_XYXY };
	for (size_t i = 0; i < 6; i++) {
		coords_kind k = COORDS_XYXY;
		assert_int_equal(coords_parse(names[i], &k), TS_OK);
		assert_int_equal(k, kinds[i]);
		assert_string_equal(coords_name(kinds[i]), names[i]);
	}
	coords_kind k = COORDS_GEMINI;
	assert_int_equal(coords_parse("Qwen3", &k), TS_ERR_USAGE);
	assert_int_equal(coords_parse("", &k), TS_ERR_USAGE);
	assert_int_equal(coords_parse(NULL, &k), TS_ERR_USAGE);
	assert_int_equal(k, COORDS_GEMINI); /* untouched */
	assert_string_equal(coords_name((coords_kind)99), "unknown");

	/* auto by key; an explicit kind wins */
	assert_int_equal(coords_resolve(COORDS_AUTO, REC_KEY_BBOX_2D), COORDS_QWEN3);
	assert_int_equal(coords_resolve(COORDS_AUTO, REC_KEY_BOX_2D), COORDS_GEMINI);
	assert_int_equal(coords_resolve(COORDS_AUTO, REC_KEY_LOC), COORDS_PALIGEMMA);
	assert_int_equal(coords_resolve(COORDS_AUTO, REC_KEY_BBOX), COORDS_XYXY);
	assert_int_equal(coords_resolve(COORDS_QWEN25, REC_KEY_BBOX_2D), COORDS_QWEN25);
	assert_int_equal(coords_resolve(COORDS_XYXY, REC_KEY_BBOX_2D), COORDS_XYXY);
}

static void test_to_box(void **state)
{
	(void)state;
	coords_opts o;
	coords_opts_default(&o);
	double box[4];

	/* qwen3 (auto for bbox_2d), image 640x480: 100/1000*640 = 64,
	 * 200/1000*480 = 96, 300/1000*640 = 192, 400/1000*480 = 192. */
	record r = rec(REC_KEY_BBOX_2D, 100, 200, 300, 400);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 64, 96, 192, 192);
	/* corners given backwards stay as written (never sorted) */
	r = rec(REC_KEY_BBOX_2D, 300, 400, 100, 200);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 192, 192, 64, 96);

	/* qwen25, image 640x480: smart_resize(480, 640) = (476, 644);
	 * 322*640/644 = 320, 238*480/476 = 240, 644*640/644 = 640, 476*480/476 = 480. */
	o.kind = COORDS_QWEN25;
	r = rec(REC_KEY_BBOX_2D, 322, 238, 644, 476);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 320, 240, 640, 480);
	/* with max_pixels 1280*28*28 on 1920x1080: input 1316x728;
	 * 658*1920/1316 = 960, 364*1080/728 = 540. */
	o.max_pixels = 1280L * 28 * 28;
	r = rec(REC_KEY_BBOX_2D, 0, 0, 658, 364);
	assert_int_equal(coords_to_box(&r, &o, 1920, 1080, box), TS_OK);
	assert_box(box, 0, 0, 960, 540);
	coords_opts_default(&o);

	/* gemini (auto for box_2d) [ymin=100, xmin=200, ymax=300, xmax=400],
	 * 640x480: x1 = 200/1000*640 = 128, y1 = 100/1000*480 = 48,
	 * x2 = 400/1000*640 = 256, y2 = 300/1000*480 = 144. */
	r = rec(REC_KEY_BOX_2D, 100, 200, 300, 400);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 128, 48, 256, 144);
	/* ymax before ymin: as written, x1 = 400 -> 256, y1 = 300 -> 144 */
	r = rec(REC_KEY_BOX_2D, 300, 400, 100, 200);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 256, 144, 128, 48);

	/* paligemma (auto for loc) [y1=256, x1=512, y2=768, x2=1023], 640x480:
	 * x1 = 512/1024*640 = 320, y1 = 256/1024*480 = 120,
	 * x2 = 1023/1024*640 = 639.375, y2 = 768/1024*480 = 360. */
	r = rec(REC_KEY_LOC, 256, 512, 768, 1023);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 320, 120, 639.375, 360);

	/* xyxy (auto for bbox): as is, no image size needed */
	r = rec(REC_KEY_BBOX, 10.5, 20, 30, 40);
	assert_int_equal(coords_to_box(&r, &o, 0, 0, box), TS_OK);
	assert_box(box, 10.5, 20, 30, 40);
	r = rec(REC_KEY_BBOX, 30, 40, 10.5, 20); /* reversed: as written */
	assert_int_equal(coords_to_box(&r, &o, 0, 0, box), TS_OK);
	assert_box(box, 30, 40, 10.5, 20);
	/* --coords xyxy on bbox_2d */
	o.kind = COORDS_XYXY;
	r = rec(REC_KEY_BBOX_2D, 1, 2, 3, 4);
	assert_int_equal(coords_to_box(&r, &o, 0, 0, box), TS_OK);
	assert_box(box, 1, 2, 3, 4);
	/* --coords qwen3 forced on a box_2d record: read x first */
	o.kind = COORDS_QWEN3;
	r = rec(REC_KEY_BOX_2D, 100, 200, 300, 400);
	assert_int_equal(coords_to_box(&r, &o, 1000, 1000, box), TS_OK);
	assert_box(box, 100, 200, 300, 400);

	/* relative conventions need the image size */
	coords_opts_default(&o);
	r = rec(REC_KEY_BBOX_2D, 100, 200, 300, 400);
	assert_int_equal(coords_to_box(&r, &o, 0, 480, box), TS_ERR_FIELD);
	assert_int_equal(coords_to_box(&r, &o, 640, -1, box), TS_ERR_FIELD);
	o.kind = COORDS_QWEN25;
	assert_int_equal(coords_to_box(&r, &o, 0, 0, box), TS_ERR_FIELD);

	/* NULL options mean defaults (auto) */
	assert_int_equal(coords_to_box(&r, NULL, 640, 480, box), TS_OK);
	assert_box(box, 64, 96, 192, 192);
}

/* The conventions added for issue 12, worked by hand on a 640x480 image. */
static void test_new_conventions(void **state)
{
	(void)state;
	coords_opts o;
	coords_opts_default(&o);
	double box[4];
	/* florence2: (v + 0.5) / 1000 * side: x1 = 52.5/1000*640 = 33.6,
	 * y1 = 333.5/1000*480 = 160.08, x2 = 932.5*0.64 = 596.8, y2 = 774.5*0.48 = 371.76 */
	record r = rec(REC_KEY_FLORENCE, 52, 333, 932, 774);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 33.6, 160.08, 596.8, 371.76);
	/* deepseek: v / 999 * side: 999 -> 640 exactly, 333 -> 333/999*480 = 160 */
	r = rec(REC_KEY_DEEPSEEK, 0, 333, 999, 999);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 0, 160, 640, 480);
	/* Qwen2-VL and Qwen-VL/InternVL tags: 0-1000 like qwen3: 500 -> 320, 250 -> 120 */
	r = rec(REC_KEY_QWEN2VL, 500, 250, 1000, 1000);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 320, 120, 640, 480);
	r = rec(REC_KEY_REFBOX, 500, 250, 1000, 1000);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 320, 120, 640, 480);
	/* kosmos2: 44 = row 1, col 12; 863 = row 26 (832), col 31: distinct rows
	 * and columns -> cell centres: x1 = (12 + 0.5)/32*640 = 250,
	 * y1 = 1.5/32*480 = 22.5, x2 = 31.5/32*640 = 630, y2 = 26.5/32*480 = 397.5 */
	r = rec(REC_KEY_KOSMOS, 44, 863, 0, 0);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 250, 22.5, 630, 397.5);
	/* one row (patches 33 and 40: row 1, cols 1 and 8) -> cell edges:
	 * x1 = 1/32*640 = 20, y1 = 15, x2 = 9/32*640 = 180, y2 = 2/32*480 = 30 */
	r = rec(REC_KEY_KOSMOS, 33, 40, 0, 0);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 20, 15, 180, 30);
	/* one patch (0, 0): the whole cell 0..20 x 0..15 */
	r = rec(REC_KEY_KOSMOS, 0, 0, 0, 0);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 0, 0, 20, 15);
	/* moondream: 0-1: 0.25*640 = 160, 0.5*480 = 240 */
	r = rec(REC_KEY_MINMAX, 0.25, 0.5, 1, 1);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 160, 240, 640, 480);
	/* molmo point: percent: 61.5% of 640 = 393.6, 40.625% of 480 = 195 */
	r = rec(REC_KEY_MOLMO, 61.5, 40.625, 0, 0);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 393.6, 195, 393.6, 195);
	/* point_2d under qwen3: 500 -> 320, 250 -> 120; under gemini it is y first */
	r = rec(REC_KEY_POINT_2D, 500, 250, 0, 0);
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 320, 120, 320, 120);
	o.kind = COORDS_GEMINI; /* y = 500/1000*480 = 240, x = 250/1000*640 = 160 */
	assert_int_equal(coords_to_box(&r, &o, 640, 480, box), TS_OK);
	assert_box(box, 160, 240, 160, 240);
	/* names round-trip; auto by syntax */
	static const char *const names[] = { "florence2", "deepseek", "kosmos2", "moondream", "molmo" };
	static const coords_kind kinds[] = { COORDS_FLORENCE2, COORDS_DEEPSEEK, COORDS_KOSMOS2,
	                                     COORDS_MOONDREAM, COORDS_MOLMO };
	static const rec_key keys[] = { REC_KEY_FLORENCE, REC_KEY_DEEPSEEK, REC_KEY_KOSMOS,
	                                REC_KEY_MINMAX, REC_KEY_MOLMO };
	for (size_t i = 0; i < 5; i++) {
		coords_kind k;
		assert_int_equal(coords_parse(names[i], &k), TS_OK);
		assert_int_equal(k, kinds[i]);
		assert_string_equal(coords_name(kinds[i]), names[i]);
		assert_int_equal(coords_resolve(COORDS_AUTO, keys[i]), kinds[i]);
	}
	assert_int_equal(coords_resolve(COORDS_AUTO, REC_KEY_POINT_2D), COORDS_QWEN3);
	assert_int_equal(coords_resolve(COORDS_AUTO, REC_KEY_QWEN2VL), COORDS_QWEN3);
	assert_string_equal(coords_describe(COORDS_GEMINI), "relative 0-1000, y first");
}

/* The convention check counts exactly the records that do not fit. */
static void test_check(void **state)
{
	(void)state;
	coords_opts o;
	coords_opts_default(&o);
	coords_check c;
	char buf[512];
	coords_check_init(&c);
	/* clean qwen3 boxes: no warning */
	record r = rec(REC_KEY_BBOX_2D, 100, 200, 300, 400);
	coords_check_add(&c, &r, &o, 640, 480);
	coords_check_add(&c, &r, &o, 640, 480);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 0);
	coords_check_summary(&c, buf, sizeof buf);
	assert_string_equal(buf, "bbox_2d (Qwen2.5/3-VL) 2 records; convention qwen3 (relative 0-1000, x first)");
	/* Qwen2.5 pixels on a 1920-wide image read as qwen3: 1500 > 1000 (above,
	 * and 1500/1000*640 = 960 reaches outside the 640 image); a reversed box
	 * (x2 300 < x1 500) */
	record px = rec(REC_KEY_BBOX_2D, 1200, 10, 1500, 20);
	record rv = rec(REC_KEY_BBOX_2D, 500, 10, 300, 20);
	coords_check_add(&c, &px, &o, 640, 480);
	coords_check_add(&c, &rv, &o, 640, 480);
	assert_int_equal(c.records, 4);
	assert_int_equal(c.above, 1);
	assert_int_equal(c.reversed, 1);
	assert_int_equal(c.outside, 1);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 1);
	/* 1 of 4 = 25% >= 10%: the counts, their share and the hints */
	assert_non_null(strstr(buf, "1 of 4 records (25.0%) have values above 1000"));
	assert_non_null(strstr(buf, "try --coords qwen25"));
	assert_non_null(strstr(buf, "1 of 4 boxes (25.0%) have x2 < x1 or y2 < y1, counted as written (IoU 0) "
	                            "(a y-first list read x-first"));
	/* one runaway value in 20 records (5% < 10%): the counts alone, no hint */
	coords_check_init(&c);
	for (int i = 0; i < 19; i++)
		coords_check_add(&c, &r, &o, 640, 480);
	record run = rec(REC_KEY_BBOX_2D, 100, 200, 1300, 400);
	coords_check_add(&c, &run, &o, 0, 0);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 1);
	assert_string_equal(buf, "coordinates may not fit convention qwen3 (relative 0-1000, x first): "
	                         "1 of 20 records (5.0%) have values above 1000");
	/* one reversed box in 20: counted, no guess */
	coords_check_init(&c);
	for (int i = 0; i < 19; i++)
		coords_check_add(&c, &r, &o, 640, 480);
	coords_check_add(&c, &rv, &o, 0, 0);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 1);
	assert_string_equal(buf, "coordinates may not fit convention qwen3 (relative 0-1000, x first): "
	                         "1 of 20 boxes (5.0%) have x2 < x1 or y2 < y1, counted as written (IoU 0)");
	/* gemini's reversal is judged in its own order: [ymin,xmin,ymax,xmax] =
	 * [10, 500, 20, 300] has xmax 300 < xmin 500 */
	coords_check_init(&c);
	record g = rec(REC_KEY_BOX_2D, 10, 500, 20, 300);
	coords_check_add(&c, &g, &o, 640, 480);
	assert_int_equal(c.reversed, 1);
	/* every value <= 1 under qwen3: a 0-1 list */
	coords_check_init(&c);
	record u = rec(REC_KEY_BBOX_2D, 0.1, 0.2, 0.3, 0.4);
	coords_check_add(&c, &u, &o, 640, 480);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "every value <= 1"));
	/* ... but not under moondream, whose range it is */
	coords_check_init(&c);
	record mo = rec(REC_KEY_MINMAX, 0.1, 0.2, 0.3, 0.4);
	coords_check_add(&c, &mo, &o, 640, 480);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 0);
	/* a molmo point at 150%: above 100 */
	coords_check_init(&c);
	record mp = rec(REC_KEY_MOLMO, 150, 20, 0, 0);
	coords_check_add(&c, &mp, &o, 640, 480);
	assert_int_equal(c.above, 1);
	assert_int_equal(c.reversed, 0); /* points are never reversed */
}

/* --coords auto on a run mixing syntaxes: each record in its own syntax's
 * convention; the summary names both, the warning counts each record against
 * its own range and names every convention. */
static void test_check_mixed(void **state)
{
	(void)state;
	coords_opts o;
	coords_opts_default(&o);
	coords_check c;
	char buf[768];
	coords_check_init(&c);
	/* qwen3 [1200,10,1500,20]: above 1000, and 1200/1000*640 = 768 > 640
	 * outside; gemini [10,20,30,40] (y first): fits */
	record px = rec(REC_KEY_BBOX_2D, 1200, 10, 1500, 20);
	record g = rec(REC_KEY_BOX_2D, 10, 20, 30, 40);
	coords_check_add(&c, &px, &o, 640, 480);
	coords_check_add(&c, &g, &o, 640, 480);
	coords_check_add(&c, &g, &o, 640, 480);
	coords_check_summary(&c, buf, sizeof buf);
	assert_string_equal(buf, "bbox_2d (Qwen2.5/3-VL) 1 record, box_2d (Gemini) 2 records; "
	                         "convention qwen3 (relative 0-1000, x first), gemini (relative "
	                         "0-1000, y first)");
	assert_int_equal(c.above, 1);
	assert_int_equal(c.above_qwen3, 1);
	assert_int_equal(c.outside, 1);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 1);
	assert_string_equal(buf, "coordinates may not fit conventions qwen3, gemini (each record in "
	                         "its syntax's): 1 of 3 records (33.3%) have values above their convention's "
	                         "range (Qwen2.5-VL absolute pixels? try --coords qwen25); 1 of 3 "
	                         "boxes (33.3%) reach outside the image");
	/* a 0-1 bbox_2d beside Moondream's own 0-1 objects: the bbox_2d one is
	 * the evidence (1 of the 1 records under a wider convention) */
	coords_check_init(&c);
	record u = rec(REC_KEY_BBOX_2D, 0.1, 0.2, 0.3, 0.4);
	record mo = rec(REC_KEY_MINMAX, 0.1, 0.2, 0.3, 0.4);
	coords_check_add(&c, &u, &o, 640, 480);
	coords_check_add(&c, &mo, &o, 640, 480);
	assert_int_equal(c.le1, 1);
	assert_int_equal(c.le1_of, 1);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "all 1 records under conventions wider than 0-1 have every value <= 1"));
	/* the gemini records alone: no warning */
	coords_check_init(&c);
	coords_check_add(&c, &g, &o, 640, 480);
	assert_int_equal(coords_check_warning(&c, buf, sizeof buf), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smart_resize),
		cmocka_unit_test(test_opts_and_names),
		cmocka_unit_test(test_to_box),
		cmocka_unit_test(test_new_conventions),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_mixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
