"""The trail (痕迹): verifying the audit chain, backups, and their pages — above the kernel that stores it."""

from django.apps import AppConfig


class TrailConfig(AppConfig):
    name = "jingzhun.trail"
    label = "trail"
    verbose_name = "痕迹与备份"
