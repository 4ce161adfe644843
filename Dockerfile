# photo-verify: one image for the API, the check workers and the webhook delivery worker.
# Built with the native TensorFlow backend (@tensorflow/tfjs-node); the service falls back to
# wasm only where that cannot be installed. Models ship in models/: nothing is fetched at run time.

FROM node:20-bookworm-slim AS dependencies
# tfjs-node's install script fetches its prebuilt binding, or builds it with these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# @tensorflow/tfjs-node (an optional dependency) needs its install script: allowed by name, for
# npm versions that only run the install scripts of packages they are told to. The .npmrc keeps
# onnxruntime-node's script from downloading CUDA libraries: its CPU library ships in the package.
RUN echo "allow-scripts=@tensorflow/tfjs-node" >> .npmrc \
 && npm ci --omit=dev --no-audit --no-fund \
 && node -e "import('@tensorflow/tfjs-node').then(() => console.log('tfjs-node installed'))" \
 && node -e "import('onnxruntime-node').then(() => console.log('onnxruntime-node installed'))"

FROM node:20-bookworm-slim
# A font for the captions of the evidence images.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    UPLOAD_DIR=/data/uploads \
    TF_BACKEND=tensorflow
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY models ./models
COPY src ./src
COPY workers ./workers
RUN mkdir -p /data/uploads && chown node:node /data/uploads
USER node
EXPOSE 3000
CMD ["npm", "start"]
