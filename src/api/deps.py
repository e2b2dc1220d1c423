"""Request-scoped dependencies: the container built by the lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from workflow.runtime.bootstrap import Container


async def container(request: Request) -> Container:
    # async: a plain attribute read; a sync dependency would hop to the threadpool.
    found: Container = request.app.state.container
    return found


ContainerDep = Annotated[Container, Depends(container)]
