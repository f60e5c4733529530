# One image for Binder (repo2docker builds a root Dockerfile as is), VS Code Dev Containers and
# Codespaces (.devcontainer/devcontainer.json builds this file): Node 20, the tslab kernel
# registered with JupyterLab 4, Plotly's JupyterLab renderer, and Debian's Chromium for figure
# export. Not built in CI (no Docker engine there); `.ci/run` is the tested install path.
FROM node:20-bookworm

ARG NB_USER=jovyan
ARG NB_UID=1000
ENV USER=${NB_USER} \
    HOME=/home/${NB_USER} \
    PATH=/opt/venv/bin:${PATH} \
    CHROMIUM_PATH=/usr/bin/chromium

# Chromium + fonts for SVG/PNG/PDF export; Python only to host Jupyter.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation python3-venv \
 && rm -rf /var/lib/apt/lists/*

# JupyterLab 4 with Plotly's mime renderer (the plotly package ships the labextension), so
# figures are interactive in Lab; the notebooks also carry a PNG of each figure.
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir "jupyterlab>=4,<5" "notebook>=7,<8" "plotly>=5,<7"

# Binder wants a user with uid 1000; node's image already has one ("node"), so rename it.
RUN usermod -l ${NB_USER} -d ${HOME} -m node && groupmod -n ${NB_USER} node

COPY --chown=${NB_UID}:${NB_UID} . ${HOME}
WORKDIR ${HOME}
RUN npm ci --no-audit --no-fund \
 && npx tslab install --python=/opt/venv/bin/python --prefix=/opt/venv \
      --binary="${HOME}/scripts/tslab-kernel.js" \
 && chown -R ${NB_UID}:${NB_UID} ${HOME} /opt/venv
USER ${NB_USER}

EXPOSE 8888
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "notebooks/"]
