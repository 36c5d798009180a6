#!/usr/bin/env bash
# Restores the pinned PowerShell tool, then hands the task to build.ps1 (Build, Test, Run, ...).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off NO_COLOR=1
dotnet tool restore >/dev/null
exec dotnet pwsh -NoProfile -NonInteractive -File build.ps1 -Task "${1:-Build}" "${@:2}"
