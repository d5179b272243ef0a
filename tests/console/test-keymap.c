/* test-keymap.c: evdev / hardware keycodes → XT set-1 scancodes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-keymap.h"

typedef struct
{
  const char *name;
  guint       evdev;
  guint       xt;
} Key;

/* Every key of a 105-key (ISO) PC keyboard, by its Linux evdev code. */
static const Key iso105[] = {
  { "Escape", 1, 0x01 }, { "F1", 59, 0x3b }, { "F2", 60, 0x3c }, { "F3", 61, 0x3d },
  { "F4", 62, 0x3e }, { "F5", 63, 0x3f }, { "F6", 64, 0x40 }, { "F7", 65, 0x41 },
  { "F8", 66, 0x42 }, { "F9", 67, 0x43 }, { "F10", 68, 0x44 }, { "F11", 87, 0x57 },
  { "F12", 88, 0x58 }, { "Print", 99, 0x137 }, { "Scroll_Lock", 70, 0x46 },
  { "Pause", 119, REFRACT_XT_PAUSE },
  { "grave", 41, 0x29 }, { "1", 2, 0x02 }, { "2", 3, 0x03 }, { "3", 4, 0x04 }, { "4", 5, 0x05 },
  { "5", 6, 0x06 }, { "6", 7, 0x07 }, { "7", 8, 0x08 }, { "8", 9, 0x09 }, { "9", 10, 0x0a },
  { "0", 11, 0x0b }, { "minus", 12, 0x0c }, { "equal", 13, 0x0d }, { "BackSpace", 14, 0x0e },
  { "Tab", 15, 0x0f }, { "q", 16, 0x10 }, { "w", 17, 0x11 }, { "e", 18, 0x12 }, { "r", 19, 0x13 },
  { "t", 20, 0x14 }, { "y", 21, 0x15 }, { "u", 22, 0x16 }, { "i", 23, 0x17 }, { "o", 24, 0x18 },
  { "p", 25, 0x19 }, { "bracketleft", 26, 0x1a }, { "bracketright", 27, 0x1b },
  { "Return", 28, 0x1c },
  { "Caps_Lock", 58, 0x3a }, { "a", 30, 0x1e }, { "s", 31, 0x1f }, { "d", 32, 0x20 },
  { "f", 33, 0x21 }, { "g", 34, 0x22 }, { "h", 35, 0x23 }, { "j", 36, 0x24 }, { "k", 37, 0x25 },
  { "l", 38, 0x26 }, { "semicolon", 39, 0x27 }, { "apostrophe", 40, 0x28 },
  { "numbersign", 43, 0x2b },
  { "Shift_L", 42, 0x2a }, { "less (102nd)", 86, 0x56 }, { "z", 44, 0x2c }, { "x", 45, 0x2d },
  { "c", 46, 0x2e }, { "v", 47, 0x2f }, { "b", 48, 0x30 }, { "n", 49, 0x31 }, { "m", 50, 0x32 },
  { "comma", 51, 0x33 }, { "period", 52, 0x34 }, { "slash", 53, 0x35 }, { "Shift_R", 54, 0x36 },
  { "Control_L", 29, 0x1d }, { "Super_L", 125, 0x15b }, { "Alt_L", 56, 0x38 },
  { "space", 57, 0x39 }, { "ISO_Level3_Shift (AltGr)", 100, 0x138 }, { "Super_R", 126, 0x15c },
  { "Menu", 127, 0x15d }, { "Control_R", 97, 0x11d },
  { "Insert", 110, 0x152 }, { "Home", 102, 0x147 }, { "Prior", 104, 0x149 },
  { "Delete", 111, 0x153 }, { "End", 107, 0x14f }, { "Next", 109, 0x151 },
  { "Up", 103, 0x148 }, { "Left", 105, 0x14b }, { "Down", 108, 0x150 }, { "Right", 106, 0x14d },
  { "Num_Lock", 69, 0x45 }, { "KP_Divide", 98, 0x135 }, { "KP_Multiply", 55, 0x37 },
  { "KP_Subtract", 74, 0x4a }, { "KP_7", 71, 0x47 }, { "KP_8", 72, 0x48 }, { "KP_9", 73, 0x49 },
  { "KP_Add", 78, 0x4e }, { "KP_4", 75, 0x4b }, { "KP_5", 76, 0x4c }, { "KP_6", 77, 0x4d },
  { "KP_1", 79, 0x4f }, { "KP_2", 80, 0x50 }, { "KP_3", 81, 0x51 }, { "KP_Enter", 96, 0x11c },
  { "KP_0", 82, 0x52 }, { "KP_Decimal", 83, 0x53 },
};

static const Key media[] = {
  { "AudioMute", 113, 0x120 }, { "AudioLowerVolume", 114, 0x12e },
  { "AudioRaiseVolume", 115, 0x130 }, { "PowerOff", 116, 0x15e }, { "Sleep", 142, 0x15f },
  { "WakeUp", 143, 0x163 }, { "Calculator", 140, 0x121 }, { "Mail", 155, 0x16c },
  { "Favorites", 156, 0x166 }, { "MyComputer", 157, 0x16b }, { "Back", 158, 0x16a },
  { "Forward", 159, 0x169 }, { "AudioNext", 163, 0x119 }, { "AudioPlay", 164, 0x122 },
  { "AudioPrev", 165, 0x110 }, { "AudioStop", 166, 0x124 }, { "HomePage", 172, 0x132 },
  { "Refresh", 173, 0x167 }, { "Search", 217, 0x165 }, { "AudioMedia", 226, 0x16d },
  { "Stop", 128, 0x168 }, { "F13", 183, 0x5d }, { "F14", 184, 0x5e }, { "F15", 185, 0x5f },
  { "KP_Equal", 117, 0x59 }, { "Hiragana_Katakana", 93, 0x70 }, { "Henkan", 92, 0x79 },
  { "Muhenkan", 94, 0x7b }, { "Ro", 89, 0x73 }, { "Yen", 124, 0x7d },
};

static void
check_table (const Key *keys, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      guint xt = refract_keymap_evdev_to_xt (keys[i].evdev);

      if (xt != keys[i].xt)
        g_error ("%s (evdev %u): got 0x%x, want 0x%x", keys[i].name, keys[i].evdev, xt, keys[i].xt);
      g_assert_cmphex (refract_keymap_keycode_to_xt (keys[i].evdev + 8), ==, keys[i].xt);
    }
}

static void
test_iso105 (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (iso105), ==, 105);
  check_table (iso105, G_N_ELEMENTS (iso105));

  /* no two keys of the layout send the same scancode */
  for (gsize i = 0; i < G_N_ELEMENTS (iso105); i++)
    for (gsize j = i + 1; j < G_N_ELEMENTS (iso105); j++)
      {
        g_assert_cmpuint (iso105[i].evdev, !=, iso105[j].evdev);
        g_assert_cmphex (iso105[i].xt, !=, iso105[j].xt);
      }
}

static void
test_media (void)
{
  check_table (media, G_N_ELEMENTS (media));
}

/* The values SPICE.md checked end to end against QEMU, by X11 keycode. */
static void
test_checked_values (void)
{
  g_assert_cmphex (refract_keymap_keycode_to_xt (9), ==, 0x01);     /* Escape */
  g_assert_cmphex (refract_keymap_keycode_to_xt (38), ==, 0x1e);    /* a */
  g_assert_cmphex (refract_keymap_keycode_to_xt (105), ==, 0x11d);  /* Control_R */
  g_assert_cmphex (refract_keymap_keycode_to_xt (119), ==, 0x153);  /* Delete */
  g_assert_cmphex (refract_keymap_keycode_to_xt (133), ==, 0x15b);  /* Super_L */
  g_assert_cmphex (refract_keymap_keycode_to_xt (104), ==, 0x11c);  /* KP_Enter */
}

static void
test_unknown (void)
{
  g_assert_cmphex (refract_keymap_evdev_to_xt (0), ==, 0);
  g_assert_cmphex (refract_keymap_evdev_to_xt (84), ==, 0);   /* unassigned */
  g_assert_cmphex (refract_keymap_evdev_to_xt (240), ==, 0);  /* KEY_UNKNOWN */
  g_assert_cmphex (refract_keymap_evdev_to_xt (G_MAXUINT), ==, 0);
  for (guint keycode = 0; keycode < 8; keycode++)
    g_assert_cmphex (refract_keymap_keycode_to_xt (keycode), ==, 0);
  g_assert_cmpuint (refract_keymap_n_mapped (), >=, 105 + G_N_ELEMENTS (media));
}

/* Appends the bytes spice-client-glib puts on the wire for one key message. */
static void
append_wire (GByteArray *bytes, guint scancode, gboolean release)
{
  guint code = refract_keymap_xt_wire_code (scancode, release);

  for (; code != 0; code >>= 8)
    g_byte_array_append (bytes, (guint8[]) { code & 0xff }, 1);
}

static void
test_pause (void)
{
  static const guint8 expected[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  const RefractXtStep *steps;
  gsize n = refract_keymap_pause_sequence (&steps);

  for (gsize i = 0; i < n; i++)
    append_wire (bytes, steps[i].scancode, !steps[i].press);
  g_assert_cmpmem (bytes->data, bytes->len, expected, sizeof expected);
}

static void
test_wire (void)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  /* Delete: E0 53 down, E0 D3 up; Print: E0 37 / E0 B7; a: 1E / 9E */
  append_wire (bytes, 0x153, FALSE);
  append_wire (bytes, 0x153, TRUE);
  append_wire (bytes, REFRACT_XT_PRINT, FALSE);
  append_wire (bytes, REFRACT_XT_PRINT, TRUE);
  append_wire (bytes, 0x1e, FALSE);
  append_wire (bytes, 0x1e, TRUE);
  g_assert_cmpmem (bytes->data, bytes->len,
                   ((guint8[]) { 0xe0, 0x53, 0xe0, 0xd3, 0xe0, 0x37, 0xe0, 0xb7, 0x1e, 0x9e }), 10);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keymap/iso105", test_iso105);
  g_test_add_func ("/keymap/media", test_media);
  g_test_add_func ("/keymap/checked-values", test_checked_values);
  g_test_add_func ("/keymap/unknown", test_unknown);
  g_test_add_func ("/keymap/pause", test_pause);
  g_test_add_func ("/keymap/wire", test_wire);
  return g_test_run ();
}
