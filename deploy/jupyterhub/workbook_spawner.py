"""The hub's spawner: JupyterHub's SimpleLocalProcessSpawner that also deletes a deleted user's home.

JupyterHub calls `Spawner.delete_forever()` once, on a stopped server, when a user is deleted
(by an admin, or by the idle culler's `--cull-users` for anonymous one-off accounts). The stock
spawner keeps the home folder, so an anonymous person's entries would stay on the disk after
their account is gone, with nobody able to reach or remove them. Here the home goes with the
account. Only a folder directly inside the hub's homes folder is ever removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def remove_home(homes: str | Path, home: str | Path) -> bool:
    """Delete `home` if it is a real folder directly inside `homes` (not a link); True if removed."""
    homes_path = Path(homes).resolve()
    home_path = Path(home)
    if home_path.is_symlink() or not home_path.is_dir():
        return False
    if home_path.resolve().parent != homes_path:
        return False
    shutil.rmtree(home_path)
    return True


try:
    from jupyterhub.spawner import SimpleLocalProcessSpawner
except ImportError:  # the fast tests load the hub's config without JupyterHub installed
    SimpleLocalProcessSpawner = None

if SimpleLocalProcessSpawner is not None:
    from traitlets import Unicode

    class ForgettingSpawner(SimpleLocalProcessSpawner):
        """SimpleLocalProcessSpawner whose deleted users leave no folder behind."""

        homes_dir = Unicode("", config=True, help="The folder every user's home is made in.")

        async def delete_forever(self) -> None:
            home = self.home_dir
            if self.homes_dir and home and remove_home(self.homes_dir, home):
                self.log.info("Removed the home folder of deleted user %s", self.user.name)
