// Visit photos (走访照片): a phone photo of 4–12 MB is shrunk in the browser before upload, so it
// fits the 5 MB limit and a village's slow connection. Inputs marked data-compress-photos get their
// large JPEG/PNG/WebP files redrawn on a canvas (longer side ≤ data-max-side, JPEG) and swapped in
// before the form is sent. A static file, no inline script: the CSP allows only script-src 'self'.
(function () {
  "use strict";
  var DEFAULT_SIDE = 1920, QUALITY = 0.85, MIN_BYTES = 1024 * 1024;

  function scaled(width, height, side) {
    var ratio = Math.min(1, side / Math.max(width, height));
    return [Math.round(width * ratio), Math.round(height * ratio)];
  }

  function compress(file, side) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size < MIN_BYTES || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var size = scaled(bitmap.width, bitmap.height, side);
      var canvas = document.createElement("canvas");
      canvas.width = size[0];
      canvas.height = size[1];
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; // a transparent PNG becomes JPEG over white
      ctx.fillRect(0, 0, size[0], size[1]);
      ctx.drawImage(bitmap, 0, 0, size[0], size[1]);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; }); // undecodable here: let the server judge the original
  }

  function attach(input) {
    var side = parseInt(input.getAttribute("data-max-side"), 10) || DEFAULT_SIDE;
    var form = input.form, status = document.getElementById(input.getAttribute("data-status") || "");
    var pending = null;
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length || typeof DataTransfer === "undefined") { return; }
      if (status) { status.textContent = "正在压缩照片…"; }
      pending = Promise.all(files.map(function (f) { return compress(f, side); })).then(function (out) {
        var transfer = new DataTransfer();
        out.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
        var total = out.reduce(function (sum, f) { return sum + f.size; }, 0);
        if (status) { status.textContent = "照片已压缩，共 " + (total / 1024 / 1024).toFixed(1) + " MB"; }
        input.setAttribute("data-compressed", String(total));
        pending = null;
      });
    });
    if (form) {
      form.addEventListener("submit", function (ev) {
        if (!pending) { return; }
        ev.preventDefault(); // wait for the compression, then send the smaller files
        var submitter = ev.submitter;
        pending.then(function () { form.requestSubmit(submitter || undefined); });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[type=file][data-compress-photos]").forEach(attach);
  });
})();
