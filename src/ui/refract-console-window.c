/* refract-console-window.c
 *
 * Closing the window puts the console back on the machine's page; the SPICE
 * session stays open all along.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-console-page.h"
#include "refract-console-window.h"

struct _RefractConsoleWindow
{
  AdwApplicationWindow  parent_instance;
  RefractConsole       *console;
  GtkWidget            *header;
  GtkWidget            *page;
};

G_DEFINE_FINAL_TYPE (RefractConsoleWindow, refract_console_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
refract_console_window_close_request (GtkWindow *window)
{
  RefractConsoleWindow *self = REFRACT_CONSOLE_WINDOW (window);

  if (self->console != NULL)
    {
      g_object_set_data (G_OBJECT (self->console), "refract-console-window", NULL);
      refract_console_page_set_console (REFRACT_CONSOLE_PAGE (self->page), NULL);
      refract_console_set_detached (self->console, FALSE);
      g_clear_object (&self->console);
    }
  return GTK_WINDOW_CLASS (refract_console_window_parent_class)->close_request (window);
}

static void
fullscreen_changed (RefractConsoleWindow *self)
{
  gtk_widget_set_visible (self->header, !gtk_window_is_fullscreen (GTK_WINDOW (self)));
}

static void
title_changed (RefractConsoleWindow *self)
{
  RefractMachine *machine = refract_console_get_machine (self->console);

  gtk_window_set_title (GTK_WINDOW (self), refract_machine_get_display_name (machine));
}

static void
refract_console_window_dispose (GObject *object)
{
  RefractConsoleWindow *self = (RefractConsoleWindow *)object;

  if (self->console != NULL)
    {
      g_object_set_data (G_OBJECT (self->console), "refract-console-window", NULL);
      refract_console_set_detached (self->console, FALSE);
      g_clear_object (&self->console);
    }
  G_OBJECT_CLASS (refract_console_window_parent_class)->dispose (object);
}

static void
refract_console_window_class_init (RefractConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = refract_console_window_dispose;
  window_class->close_request = refract_console_window_close_request;
}

static void
refract_console_window_init (RefractConsoleWindow *self)
{
  self->header = adw_header_bar_new ();
  self->page = refract_console_page_new (TRUE);
  gtk_widget_set_vexpand (self->page, TRUE);
  /* the page holds the header bar: its tools go there, one row of chrome */
  refract_console_page_set_header_bar (REFRACT_CONSOLE_PAGE (self->page), ADW_HEADER_BAR (self->header));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), self->page);
  gtk_window_set_default_size (GTK_WINDOW (self), 1024, 800);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (fullscreen_changed), NULL);
}

/* Shows @console in its own window, making the window on first use. */
RefractConsoleWindow *
refract_console_window_present (RefractConsole *console,
                                GtkWindow      *parent)
{
  RefractConsoleWindow *self = g_object_get_data (G_OBJECT (console), "refract-console-window");

  if (self == NULL)
    {
      self = g_object_new (REFRACT_TYPE_CONSOLE_WINDOW,
                           "application", parent ? gtk_window_get_application (parent) : NULL,
                           NULL);
      self->console = g_object_ref (console);
      g_object_set_data (G_OBJECT (console), "refract-console-window", self);
      g_signal_connect_object (refract_console_get_machine (console), "notify::display-name",
                               G_CALLBACK (title_changed), self, G_CONNECT_SWAPPED);
      title_changed (self);
      refract_console_set_detached (console, TRUE);
      refract_console_page_set_console (REFRACT_CONSOLE_PAGE (self->page), console);
    }
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

RefractConsole *
refract_console_window_get_console (RefractConsoleWindow *self)
{
  return self->console;
}
