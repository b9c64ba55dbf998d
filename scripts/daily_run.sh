#!/usr/bin/env bash
# The daily publishing run: fetch -> validate -> commit changed snapshots -> build site/.
#
# The same sequence as .github/workflows/daily.yml. Every stage is a Makefile target (`make fetch`,
# `make validate`, `make site`), so CI, this script and a maintainer at a terminal run the same commands;
# the workflow calls this script for the two stages that need more than one command (`fetch`, which
# checks the dates it is given, and `commit`).
#
# usage: scripts/daily_run.sh [all|fetch|commit] [options]
#   all (default)         every stage, for a local run or an end-to-end test
#   fetch                 only `make fetch` with the options below
#   commit                only commit (and with --push, push) the changed snapshots
# options:
#   --date D | --since D [--until D]   days to fetch, YYYY-MM-DD (default: today and the refresh window)
#   --api-url URL                      the Daily Papers API (default: the one `dailypapers fetch` knows)
#   --site-url URL                     public URL of the site (default: $SITE_URL, else mkdocs.yml's)
#   --push                             push the snapshot commit to the current branch on $DAILY_RUN_REMOTE
#   --no-commit                        leave changed snapshots uncommitted (stage `all`)
# environment:
#   FETCH_ARGS        more options for `dailypapers fetch`, e.g. "--retries 0 --rate 50"
#   SITE_URL          as --site-url; `dailypapers build` reads it (generator/publish/config.py)
#   DAILY_RUN_REMOTE  remote to push to (default: origin)
#   MAKE              make program (default: make)
#
# exit status:
#   0   every day fetched; site/ is built and may be deployed
#   1   some days failed to fetch: the good ones are committed and site/ is built from them (deploy it),
#       and the run still reports failure so someone looks at the failed days
#   2   validation, commit or build failed: site/ is removed, there is nothing to deploy and the last
#       good site stays online
#   64  wrong usage
set -euo pipefail

cd "$(dirname "$0")/.."

readonly SNAPSHOTS=content/snapshots
readonly BOT_NAME="github-actions[bot]"
readonly BOT_EMAIL="41898282+github-actions[bot]@users.noreply.github.com"
MAKE=${MAKE:-make}
REMOTE=${DAILY_RUN_REMOTE:-origin}

stage=all
date="" since="" until="" api_url="" push=0 commit=1

say() { printf 'daily_run: %s\n' "$*" >&2; }
usage_error() { say "$*"; say "usage: scripts/daily_run.sh [all|fetch|commit] [--date D | --since D [--until D]]" \
  "[--api-url URL] [--site-url URL] [--push] [--no-commit]"; exit 64; }

is_date() { [[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; }

# Values end up in a make command line and then unquoted in a shell recipe: accept only what a date or
# a base URL needs (no quotes, spaces, `$`, `;` or glob characters), so no input can become a command.
safe_url() { [[ $1 =~ ^https?://[A-Za-z0-9._~:/@+,=%-]+$ ]]; }

parse_args() {
  if [[ $# -gt 0 && $1 != -* ]]; then
    stage=$1
    shift
  fi
  case $stage in all | fetch | commit) ;; *) usage_error "unknown stage '$stage'" ;; esac
  while [[ $# -gt 0 ]]; do
    case $1 in
      --date | --since | --until | --api-url | --site-url)
        [[ $# -ge 2 ]] || usage_error "$1 needs a value"
        local option=$1 value=$2
        shift 2
        case $option in
          --date) date=$value ;;
          --since) since=$value ;;
          --until) until=$value ;;
          --api-url) api_url=$value ;;
          --site-url) SITE_URL=$value ;;
        esac
        ;;
      --push) push=1; shift ;;
      --no-commit) commit=0; shift ;;
      -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) usage_error "unknown option '$1'" ;;
    esac
  done
  local value
  for value in "$date" "$since" "$until"; do
    [[ -z $value ]] || is_date "$value" || usage_error "'$value' is not a date; use YYYY-MM-DD"
  done
  [[ -z $date || (-z $since && -z $until) ]] || usage_error "--date cannot be combined with --since/--until"
  [[ -z $until || -n $since ]] || usage_error "--until needs --since"
  [[ -z $api_url ]] || safe_url "$api_url" || usage_error "--api-url: not an http(s) URL: '$api_url'"
  if [[ -n ${SITE_URL:-} ]]; then
    safe_url "$SITE_URL" || usage_error "site URL: not an http(s) URL: '$SITE_URL'"
    export SITE_URL
  fi
}

# `make fetch` with FETCH_ARGS built from the checked options; returns dailypapers' status.
run_fetch() {
  local args=()
  [[ -z $date ]] || args+=(--date "$date")
  [[ -z $since ]] || args+=(--since "$since")
  [[ -z $until ]] || args+=(--until "$until")
  [[ -z $api_url ]] || args+=(--api-url "$api_url")
  local fetch_args="${args[*]-} ${FETCH_ARGS:-}"
  say "fetch: dailypapers fetch ${fetch_args}"
  "$MAKE" --no-print-directory fetch FETCH_ARGS="$fetch_args"
}

# Commit the snapshots that changed (and only them: other staged work is left alone), as the bot
# unless this clone has its own identity; a run that changed nothing makes no commit.
# Callers test its status (`commit_snapshots || ...`), which switches `set -e` off inside it: every
# command that can fail says `|| return 1` itself.
commit_snapshots() {
  local changes
  changes=$(git status --porcelain --untracked-files=all -- "$SNAPSHOTS") || return 1
  if [[ -z $changes ]]; then
    say "commit: no snapshot changed"
    return 0
  fi
  # Nothing stored is ever lost: the fetcher never deletes a day, so a deleted snapshot is a mistake
  # this run must not publish.
  local deleted
  deleted=$(grep -E '^( D|D |DD|AD|MD|RD)' <<<"$changes" || true)
  if [[ -n $deleted ]]; then
    say "commit: these snapshots were deleted; the daily run never removes a stored day."
    say "restore them with 'git checkout -- FILE', or commit the removal by hand:"
    printf '%s\n' "$deleted" >&2
    return 1
  fi
  git add -- "$SNAPSHOTS" || return 1
  local days count message
  days=$(git diff --cached --name-only -- "$SNAPSHOTS" | sed -n 's#.*/\([0-9-]*\)\.yaml$#\1#p' | sort)
  count=$(grep -c . <<<"$days" || true)
  if ((count == 0)); then
    message="Snapshots: update $SNAPSHOTS"
  elif ((count <= 5)); then
    message="Snapshots: $(paste -sd, <<<"$days" | sed 's/,/, /g')"
  else
    message="Snapshots: $count days, $(head -n1 <<<"$days") to $(tail -n1 <<<"$days")"
  fi
  local git=(git)
  if [[ -z ${GIT_COMMITTER_EMAIL:-} ]] && ! git config user.email >/dev/null; then
    git+=(-c "user.name=$BOT_NAME" -c "user.email=$BOT_EMAIL")
  fi
  "${git[@]}" commit --quiet -m "$message" -m "Fetched by scripts/daily_run.sh." -- "$SNAPSHOTS" || return 1
  say "commit: $(git log -1 --format='%h %s')"
  ((push)) || return 0
  local branch
  branch=$(git symbolic-ref --quiet --short HEAD) || { say "commit: not on a branch; cannot push"; return 1; }
  if ! git push --quiet "$REMOTE" "HEAD:refs/heads/$branch"; then
    # Someone pushed meanwhile: the bot's commit only touches snapshots, so replaying it is safe.
    say "commit: push rejected; rebasing on $REMOTE/$branch and trying once more"
    if ! "${git[@]}" pull --quiet --rebase "$REMOTE" "$branch"; then
      git rebase --abort 2>/dev/null
      say "commit: cannot rebase on $REMOTE/$branch; the snapshot commit stays local"
      return 1
    fi
    git push --quiet "$REMOTE" "HEAD:refs/heads/$branch" || return 1
  fi
  say "commit: pushed to $REMOTE $branch"
}

# Leave nothing that could be deployed: a half-built or stale site must never replace the live one.
no_site() {
  rm -rf site
  say "$1; site/ removed, nothing to deploy (the published site stays as it was)"
  exit 2
}

main() {
  parse_args "$@"
  case $stage in
    fetch) run_fetch; return ;;
    commit) commit_snapshots || exit 2; return ;;
  esac

  local fetch_failed=0
  run_fetch || fetch_failed=1
  ((fetch_failed)) && say "fetch: some days failed; carrying on with the days that were fetched"

  "$MAKE" --no-print-directory validate || no_site "validation failed (see the lines above)"
  if ((commit)); then
    commit_snapshots || no_site "commit failed"
  fi
  "$MAKE" --no-print-directory site || no_site "build failed"

  if ((fetch_failed)); then
    say "done: site/ built from the good days, but some days failed to fetch (exit 1)"
    exit 1
  fi
  say "done: site/ built"
}

main "$@"
