#!/bin/sh
echo "$GREETING (version $APP_VERSION), running as $(id -un) in $(pwd)"
cat /app/build-info.txt
