#!/bin/sh
# Regenerate the PJSIP edge's voice prompts (Kazakh and Russian) with espeak-ng and sox.
#
# The WAVs are committed (telephony/edges/pjsip/prompts/), so `make run` never needs these tools;
# run this script only after changing a text below.  Needs: espeak-ng, sox (Debian packages).
# Output: 8 kHz, mono, 16-bit PCM WAV — the format the edge's conference bridge runs at.
set -eu

OUT="${1:-$(dirname "$0")/../telephony/edges/pjsip/prompts}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT/kk" "$OUT/ru" "$OUT/common"

# speak VOICE TEXT FILE: synthesise, resample to 8 kHz mono 16-bit, trim the silence around it,
# then pad 0.15 s at both ends so concatenated prompts do not run into each other.
speak() {
  espeak-ng -v "$1" -s 150 -w "$TMP/raw.wav" "$2"
  sox "$TMP/raw.wav" -r 8000 -c 1 -b 16 "$3" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
    pad 0.15 0.15 norm -3
}

# Welcome and language choice, both languages in one prompt (Kazakh first).
speak kk "Қош келдіңіз! Қазақ тілі үшін бірді басыңыз." "$TMP/welcome_kk.wav"
speak ru "Здравствуйте! Для русского языка нажмите два." "$TMP/welcome_ru.wav"
sox "$TMP/welcome_kk.wav" "$TMP/welcome_ru.wav" "$OUT/common/welcome.wav"

# Hold music: a quiet, slow arpeggio (C major, well away from the test tones at 440, 1000, 1800 Hz).
notes=""
for f in 262 330 392 330 294 349 392 349; do
  sox -n -r 8000 -c 1 -b 16 "$TMP/note$f.wav" synth 0.6 sine "$f" fade t 0.05 0.6 0.15 vol 0.15
  notes="$notes $TMP/note$f.wav"
done
# shellcheck disable=SC2086
sox $notes "$OUT/common/hold_music.wav"

prompt() { # prompt NAME KAZAKH RUSSIAN
  speak kk "$2" "$OUT/kk/$1.wav"
  speak ru "$3" "$OUT/ru/$1.wav"
}

prompt please_wait "Барлық кеңесшілер бос емес. Желіде күте тұрыңыз, сізге жақын арада жауап береді." \
  "Все консультанты заняты. Пожалуйста, оставайтесь на линии, вам ответят в ближайшее время."
prompt position "Кезектегі нөміріңіз" "Ваш номер в очереди"
prompt wait_minutes "Күтудің болжамды уақыты, минутпен" "Ожидаемое время ожидания в минутах"
prompt transfer "Сіз басқа кеңесшіге қосыласыз. Күте тұрыңыз." \
  "Вас переключают на другого консультанта. Пожалуйста, подождите."
prompt rating "Кеңесшінің жұмысын бағалаңыз: бірден беске дейінгі санды басыңыз, бес — ең жоғары баға." \
  "Пожалуйста, оцените работу консультанта: нажмите цифру от одного до пяти, где пять — наивысшая оценка."
prompt thanks "Қоңырауыңызға рахмет. Сау болыңыз." "Спасибо за звонок. До свидания."

# Numbers 0–20 and the tens up to 90: 21–99 are said as tens + units in both languages.
set -- \
  0 "нөл" "ноль" 1 "бір" "один" 2 "екі" "два" 3 "үш" "три" 4 "төрт" "четыре" 5 "бес" "пять" \
  6 "алты" "шесть" 7 "жеті" "семь" 8 "сегіз" "восемь" 9 "тоғыз" "девять" 10 "он" "десять" \
  11 "он бір" "одиннадцать" 12 "он екі" "двенадцать" 13 "он үш" "тринадцать" 14 "он төрт" "четырнадцать" \
  15 "он бес" "пятнадцать" 16 "он алты" "шестнадцать" 17 "он жеті" "семнадцать" 18 "он сегіз" "восемнадцать" \
  19 "он тоғыз" "девятнадцать" 20 "жиырма" "двадцать" 30 "отыз" "тридцать" 40 "қырық" "сорок" \
  50 "елу" "пятьдесят" 60 "алпыс" "шестьдесят" 70 "жетпіс" "семьдесят" 80 "сексен" "восемьдесят" \
  90 "тоқсан" "девяносто"
while [ $# -ge 3 ]; do
  prompt "n$1" "$2" "$3"
  shift 3
done

du -sh "$OUT"
