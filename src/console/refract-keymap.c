/* refract-keymap.c: keyboard codes to PC XT (set 1) scancodes
 *
 * GTK reports the hardware keycode, which is the Linux evdev code + 8 on X11
 * (evdev driver) and on Wayland. Evdev codes 1–83 and 86–88 are the set-1
 * codes themselves; the rest are listed below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "refract-keymap.h"

#define EVDEV_OFFSET 8
#define E0(code) (REFRACT_XT_EXTENDED | (code))

/* evdev codes from <linux/input-event-codes.h> past the identical range */
static const guint16 evdev_high[][2] = {
  { 85, 0x76 },        /* KEY_ZENKAKUHANKAKU */
  { 89, 0x73 },        /* KEY_RO */
  { 90, 0x78 },        /* KEY_KATAKANA */
  { 91, 0x77 },        /* KEY_HIRAGANA */
  { 92, 0x79 },        /* KEY_HENKAN */
  { 93, 0x70 },        /* KEY_KATAKANAHIRAGANA */
  { 94, 0x7b },        /* KEY_MUHENKAN */
  { 95, 0x5c },        /* KEY_KPJPCOMMA */
  { 96, E0 (0x1c) },   /* KEY_KPENTER */
  { 97, E0 (0x1d) },   /* KEY_RIGHTCTRL */
  { 98, E0 (0x35) },   /* KEY_KPSLASH */
  { 99, E0 (0x37) },   /* KEY_SYSRQ: Print */
  { 100, E0 (0x38) },  /* KEY_RIGHTALT: AltGr */
  { 102, E0 (0x47) },  /* KEY_HOME */
  { 103, E0 (0x48) },  /* KEY_UP */
  { 104, E0 (0x49) },  /* KEY_PAGEUP */
  { 105, E0 (0x4b) },  /* KEY_LEFT */
  { 106, E0 (0x4d) },  /* KEY_RIGHT */
  { 107, E0 (0x4f) },  /* KEY_END */
  { 108, E0 (0x50) },  /* KEY_DOWN */
  { 109, E0 (0x51) },  /* KEY_PAGEDOWN */
  { 110, E0 (0x52) },  /* KEY_INSERT */
  { 111, E0 (0x53) },  /* KEY_DELETE */
  { 113, E0 (0x20) },  /* KEY_MUTE */
  { 114, E0 (0x2e) },  /* KEY_VOLUMEDOWN */
  { 115, E0 (0x30) },  /* KEY_VOLUMEUP */
  { 116, E0 (0x5e) },  /* KEY_POWER */
  { 117, 0x59 },       /* KEY_KPEQUAL */
  { 119, REFRACT_XT_PAUSE }, /* KEY_PAUSE */
  { 121, 0x7e },       /* KEY_KPCOMMA */
  { 124, 0x7d },       /* KEY_YEN */
  { 125, E0 (0x5b) },  /* KEY_LEFTMETA */
  { 126, E0 (0x5c) },  /* KEY_RIGHTMETA */
  { 127, E0 (0x5d) },  /* KEY_COMPOSE: Menu */
  { 128, E0 (0x68) },  /* KEY_STOP */
  { 140, E0 (0x21) },  /* KEY_CALC */
  { 142, E0 (0x5f) },  /* KEY_SLEEP */
  { 143, E0 (0x63) },  /* KEY_WAKEUP */
  { 155, E0 (0x6c) },  /* KEY_MAIL */
  { 156, E0 (0x66) },  /* KEY_BOOKMARKS */
  { 157, E0 (0x6b) },  /* KEY_COMPUTER */
  { 158, E0 (0x6a) },  /* KEY_BACK */
  { 159, E0 (0x69) },  /* KEY_FORWARD */
  { 163, E0 (0x19) },  /* KEY_NEXTSONG */
  { 164, E0 (0x22) },  /* KEY_PLAYPAUSE */
  { 165, E0 (0x10) },  /* KEY_PREVIOUSSONG */
  { 166, E0 (0x24) },  /* KEY_STOPCD */
  { 172, E0 (0x32) },  /* KEY_HOMEPAGE */
  { 173, E0 (0x67) },  /* KEY_REFRESH */
  { 183, 0x5d },       /* KEY_F13 */
  { 184, 0x5e },       /* KEY_F14 */
  { 185, 0x5f },       /* KEY_F15 */
  { 217, E0 (0x65) },  /* KEY_SEARCH */
  { 226, E0 (0x6d) },  /* KEY_MEDIA */
};

/* Press Ctrl (as E1 1D), press NumLock (45), release both: on the wire that is
 * E1 1D 45 E1 9D C5, the sequence QEMU's SPICE keyboard turns into Pause. */
static const RefractXtStep pause_steps[] = {
  { 0x200 | 0x1d, TRUE },
  { 0x45, TRUE },
  { 0x200 | 0x1d, FALSE },
  { 0x45, FALSE },
};

/**
 * refract_keymap_evdev_to_xt:
 * @evdev: a Linux input event code (KEY_*)
 *
 * Returns: the set-1 scancode, 0x100 | code for E0 keys, %REFRACT_XT_PAUSE for
 *   Pause, or 0 for keys a PC keyboard does not have.
 */
guint
refract_keymap_evdev_to_xt (guint evdev)
{
  if (evdev >= 1 && evdev <= 88 && evdev != 84 && evdev != 85)
    return evdev;

  for (gsize i = 0; i < G_N_ELEMENTS (evdev_high); i++)
    if (evdev_high[i][0] == evdev)
      return evdev_high[i][1];
  return 0;
}

guint
refract_keymap_keycode_to_xt (guint hardware_keycode)
{
  if (hardware_keycode < EVDEV_OFFSET)
    return 0;
  return refract_keymap_evdev_to_xt (hardware_keycode - EVDEV_OFFSET);
}

gsize
refract_keymap_pause_sequence (const RefractXtStep **steps)
{
  g_return_val_if_fail (steps != NULL, 0);

  *steps = pause_steps;
  return G_N_ELEMENTS (pause_steps);
}

/* The key code spice-client-glib puts in its KEY_DOWN/KEY_UP message for
 * @scancode (its spice_make_scancode ()), little-endian bytes, first byte lowest. */
guint
refract_keymap_xt_wire_code (guint    scancode,
                             gboolean release)
{
  scancode &= 0x37f;
  if (release)
    scancode |= 0x80;
  if (scancode < 0x100)
    return scancode;
  return GUINT16_SWAP_LE_BE (0xe000 | (scancode - 0x100));
}

/* How many evdev codes have a scancode, for tests. */
guint
refract_keymap_n_mapped (void)
{
  guint n = 0;

  for (guint code = 0; code < 256; code++)
    n += refract_keymap_evdev_to_xt (code) != 0;
  return n;
}

/* US layout, by rows: the characters of consecutive scancodes, unshifted and shifted. */
static const struct
{
  guint       first;
  const char *plain;
  const char *shifted;
} us_rows[] = {
  { 0x02, "1234567890-=", "!@#$%^&*()_+" },
  { 0x10, "qwertyuiop[]", "QWERTYUIOP{}" },
  { 0x1e, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
  { 0x2b, "\\zxcvbnm,./", "|ZXCVBNM<>?" },
};

gboolean
refract_keymap_char_to_xt (gunichar  c,
                           guint    *scancode,
                           gboolean *shift)
{
  g_return_val_if_fail (scancode != NULL && shift != NULL, FALSE);

  *shift = FALSE;
  switch (c)
    {
    case ' ': *scancode = 0x39; return TRUE;
    case '\n': *scancode = 0x1c; return TRUE;
    case '\t': *scancode = 0x0f; return TRUE;
    default: break;
    }
  if (c == 0 || c > 0x7e)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (us_rows); i++)
    {
      const char *p;

      if ((p = strchr (us_rows[i].plain, (int) c)) != NULL)
        {
          *scancode = us_rows[i].first + (guint) (p - us_rows[i].plain);
          return TRUE;
        }
      if ((p = strchr (us_rows[i].shifted, (int) c)) != NULL)
        {
          *scancode = us_rows[i].first + (guint) (p - us_rows[i].shifted);
          *shift = TRUE;
          return TRUE;
        }
    }
  return FALSE;
}
