/* refract-keymap.h: keyboard codes to PC XT (set 1) scancodes, as SPICE wants them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* E0-prefixed keys are 0x100 | code, the form spice_inputs_channel_key_press() takes. */
#define REFRACT_XT_EXTENDED 0x100

/* Not a scancode: Pause has no break code and goes out as E1 1D 45 E1 9D C5, see
 * refract_keymap_pause_sequence (). */
#define REFRACT_XT_PAUSE    0x1000

/* Scancodes the send-key menu and the shortcuts use. */
#define REFRACT_XT_ESCAPE     0x01
#define REFRACT_XT_BACKSPACE  0x0e
#define REFRACT_XT_CONTROL_L  0x1d
#define REFRACT_XT_ALT_L      0x38
#define REFRACT_XT_F1         0x3b
#define REFRACT_XT_F11        0x57
#define REFRACT_XT_SYSRQ      0x54   /* what Alt+Print sends */
#define REFRACT_XT_PRINT      0x137
#define REFRACT_XT_DELETE     0x153
#define REFRACT_XT_BREAK      0x146  /* what Ctrl+Pause sends */
#define REFRACT_XT_SHIFT_L    0x2a

typedef struct
{
  guint    scancode;  /* for spice_inputs_channel_key_press/_release */
  gboolean press;
} RefractXtStep;

guint  refract_keymap_evdev_to_xt        (guint                evdev);
guint  refract_keymap_keycode_to_xt      (guint                hardware_keycode);
gsize  refract_keymap_pause_sequence     (const RefractXtStep **steps);
guint  refract_keymap_xt_wire_code       (guint                scancode,
                                          gboolean             release);
guint  refract_keymap_n_mapped           (void);
/* The key (and Shift) that types @c on a US keyboard; FALSE when none does. */
gboolean refract_keymap_char_to_xt       (gunichar             c,
                                          guint               *scancode,
                                          gboolean            *shift);

G_END_DECLS
