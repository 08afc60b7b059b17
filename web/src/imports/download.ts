// Saving text made in the browser as a file (a Blob URL and a click on a temporary link).
export function downloadText(fileName: string, text: string, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // after the click has handed the URL to the download
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
