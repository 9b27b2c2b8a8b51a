// A button marked data-print prints the page: a printable sheet (the survey's QR code,
// the birthday-party list), whose print stylesheet keeps the sheet only.
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
