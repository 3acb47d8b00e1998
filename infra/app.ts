import { buildDocflowApp } from './build-app';

buildDocflowApp();
